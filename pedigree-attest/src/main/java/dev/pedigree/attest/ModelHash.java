package dev.pedigree.attest;

import dev.pedigree.io.Sha256;
import dev.pedigree.model.TensorAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The model-level canonical content hash ({@value #DEFINITION}): independent of the container
 * format, of sharding and of tensor names and order.
 *
 * <p>Definition. Take the model's <em>logical</em> parameter tensors (fused tensors split by
 * {@link dev.pedigree.model.naming.TensorNaming#logicalTensors}; only parts that are parameters:
 * weights and biases, not quantisation companions or buffers). For each, form the line
 *
 * <pre>component '\t' layer '\t' role '\t' expert '\t' part '\t' canonical_sha256 '\n'</pre>
 *
 * where {@code layer} and {@code expert} are decimal or {@code -}, {@code role} and {@code part}
 * are the enum names ({@code WEIGHT}, {@code MLP_UP}), and {@code canonical_sha256} is {@link
 * dev.pedigree.model.TensorHashes#canonicalSha256} (shape, then float32 canonical values with −0
 * and NaN payloads normalised). Sort the lines by byte order (so duplicates, such as a tied head
 * stored twice, keep both lines), and hash {@code "pedigree-model-hash/v1\n"} followed by the
 * lines with SHA-256. Two files holding the same weights in the same canonical layout, whatever
 * their format, dtype-preserving re-export or sharding, hash equal; a change of any value, shape
 * or address changes the hash. (A re-quantised copy is a different model and hashes differently.)
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelHash {
    /** Name of this definition, recorded in ledgers and statements. */
    public static final String DEFINITION = "pedigree-model-hash/v1";

    private ModelHash() {}

    /** One tensor's contribution. */
    public record Line(TensorAddress address, String canonicalSha256) {
        public Line {
            Objects.requireNonNull(address, "address");
            if (!Sha256.isHex(canonicalSha256)) {
                throw new IllegalArgumentException("not a sha256: " + canonicalSha256);
            }
        }

        /** The line as hashed (with its newline). */
        public String text() {
            TensorAddress a = address;
            return a.component().name()
                    + '\t'
                    + (a.layer() == null ? "-" : a.layer().toString())
                    + '\t'
                    + a.role().name()
                    + '\t'
                    + (a.expert() == null ? "-" : a.expert().toString())
                    + '\t'
                    + a.part().name()
                    + '\t'
                    + canonicalSha256
                    + '\n';
        }
    }

    /** The model hash (hex) of these tensors, in any order. */
    public static String of(List<Line> lines) {
        List<String> texts = new ArrayList<>(lines.size());
        for (Line l : lines) {
            texts.add(l.text());
        }
        texts.sort(Comparator.naturalOrder());
        StringBuilder sb = new StringBuilder(DEFINITION).append('\n');
        texts.forEach(sb::append);
        return Sha256.hex(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The model hash of a checkpoint sample's tensors (equal to the hash recorded when it was made). */
    public static String of(CheckpointSample fp) {
        List<Line> lines = new ArrayList<>();
        for (CheckpointSampleTensor t : fp.tensors()) {
            lines.add(new Line(t.address(), t.canonicalSha256()));
        }
        return of(lines);
    }
}
