package dev.pedigree.model.contract;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One small real file of each format Pedigree reads, kept as test resources beside this class ({@code samples/}; how
 * each was written is in {@code samples/README.md}): each format's {@link ModelReaderContract} test reads its own and
 * checks that its reader's probe gives 0 for all the others.
 *
 * <p>Immutable; thread-safe.
 */
public final class ContractSamples {
    private ContractSamples() {}

    /**
     * A sample file.
     *
     * @param reader name of the reader that owns it ({@link dev.pedigree.model.ModelReader#name()})
     * @param fileName its name, as such files are named (probes may look at it)
     */
    public record Sample(String reader, String fileName) {
        public Sample {
            Objects.requireNonNull(reader, "reader");
            Objects.requireNonNull(fileName, "fileName");
        }

        /** Copies the sample into {@code dir} under its file name and returns the copy. */
        public Path copyTo(Path dir) throws IOException {
            try (InputStream in = ContractSamples.class.getResourceAsStream("samples/" + fileName)) {
                if (in == null) {
                    throw new IllegalStateException("contract sample " + fileName + " is missing from the test jar");
                }
                Path out = dir.resolve(fileName);
                Files.write(out, in.readAllBytes());
                return out;
            }
        }

        @Override
        public String toString() {
            return reader + ":" + fileName;
        }
    }

    private static final List<Sample> ALL = List.of(
            new Sample("safetensors", "model.safetensors"),
            new Sample("gguf", "model.gguf"),
            new Sample("onnx", "model.onnx"),
            new Sample("pytorch", "pytorch_model.bin"),
            new Sample("pytorch", "legacy.pt"),
            new Sample("tokenizer", "tokenizer.json"),
            new Sample("tokenizer", "tokenizer.model"),
            new Sample("tokenizer", "vocab.txt"),
            new Sample("tokenizer", "tiny.tiktoken"));

    /** Every sample. */
    public static List<Sample> all() {
        return ALL;
    }

    /** The sample with this file name. */
    public static Sample named(String fileName) {
        return ALL.stream()
                .filter(s -> s.fileName().equals(fileName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no contract sample " + fileName));
    }
}
