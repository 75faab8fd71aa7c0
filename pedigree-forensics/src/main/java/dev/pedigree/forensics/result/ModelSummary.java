package dev.pedigree.forensics.result;

import java.util.Objects;

/**
 * What was compared: the contract's {@code model} object.
 *
 * @param format contract spelling ({@code safetensors}, {@code gguf}, {@code onnx}, ...)
 * @param architecture null when unknown
 * @param parameters logical parameter count ({@link dev.pedigree.forensics.ParameterCounts#total})
 */
public record ModelSummary(String source, String format, String architecture, long parameters) {
    public ModelSummary {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        if (parameters < 0) {
            throw new IllegalArgumentException("negative parameters");
        }
    }
}
