package dev.pedigree.model.inspect;

import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.LineageClaim;
import java.util.List;

/**
 * What {@code pedigree inspect} reports about one input: format, architecture, components,
 * per-tensor canonical addresses and hashes, tokenizer summary, declared claims and file safety.
 * Immutable; rendered by the report module, computed by {@link Inspector}.
 */
public record Inspection(
        String source,
        String format,
        String architecture,
        long parameters,
        List<ComponentSummary> components,
        List<TensorSummary> tensors,
        TokenizerSummary tokenizer,
        List<LineageClaim> claims,
        Safety safety,
        List<FileSummary> files,
        List<String> warnings) {

    public Inspection {
        components = List.copyOf(components);
        tensors = List.copyOf(tensors);
        claims = List.copyOf(claims);
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }

    /** Parameters and layer count of one component. */
    public record ComponentSummary(
            String name, ComponentKind kind, long parameters, int layers, List<RoleCount> roles) {
        public ComponentSummary {
            roles = List.copyOf(roles);
        }
    }

    /** Parameters per role inside a component. */
    public record RoleCount(String role, long parameters) {}

    /**
     * One stored tensor.
     *
     * @param sha256 of the stored bytes; null when hashing was skipped
     * @param canonicalSha256 of the canonical float32 values; null when skipped or not decodable
     */
    public record TensorSummary(
            String name,
            String dtype,
            long[] shape,
            String component,
            Integer layer,
            String role,
            String part,
            Integer expert,
            String sha256,
            String canonicalSha256) {
        public TensorSummary {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /** Tokenizer type, size and number of special/added tokens. */
    public record TokenizerSummary(String type, int vocabSize, long specialTokens, int merges, String preTokenizer) {}

    /** SAFE or REFUSED, with the reason for a refusal. */
    public record Safety(String status, String detail) {}

    /** A file that holds the model's bytes. */
    public record FileSummary(String path, long bytes) {}
}
