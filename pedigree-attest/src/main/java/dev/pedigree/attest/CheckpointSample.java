package dev.pedigree.attest;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The sampled record of one checkpoint that a training ledger keeps beside each entry (its
 * sidecar), sufficient for the lineage and initialisation checks without the checkpoint: per
 * logical parameter tensor its canonical hash, moments over all values, a seeded row × column
 * sample of its canonical matrix, and (for token-indexed tensors) every row's norm. Written next to
 * a ledger by {@link CheckpointSampleCodec}. Immutable.
 *
 * <p>This is not Pedigree's model fingerprint ({@code dev.pedigree.fingerprint.Fingerprint}, what
 * the registry stores): the sidecar format predates it and its bytes are frozen (magic
 * {@code PDFP}, schema {@value #SCHEMA}, the name the format was given). Moving ledgers onto the one
 * fingerprint is a format change of its own.
 *
 * @param seed seed of the index samples; samples compare only under the same seed and sizes
 * @param rowSamples rows sampled per matrix (all when it has fewer)
 * @param columnSamples columns sampled per row or vector (all when it has fewer)
 * @param modelHash {@link ModelHash} of the checkpoint
 * @param source where the checkpoint was read from (informative)
 * @param format the checkpoint's container format (informative)
 * @param architecture architecture name, or null
 * @param hints the checkpoint's architecture hints (the comparator needs tied-embedding facts)
 * @param storedBytes bytes of the checkpoint's files (0 when unknown)
 */
public record CheckpointSample(
        long seed,
        int rowSamples,
        int columnSamples,
        String modelHash,
        String source,
        String format,
        String architecture,
        ArchitectureHints hints,
        long storedBytes,
        List<CheckpointSampleTensor> tensors) {
    /** Schema id in the sidecar's header (frozen: written by every recorded ledger). */
    public static final String SCHEMA = "pedigree/fingerprint/v1";

    public CheckpointSample {
        Objects.requireNonNull(modelHash, "modelHash");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(format, "format");
        hints = hints == null ? ArchitectureHints.NONE : hints;
        tensors = List.copyOf(tensors);
        if (rowSamples < 1 || columnSamples < 1) {
            throw new IllegalArgumentException("sample sizes must be positive: " + rowSamples + " × " + columnSamples);
        }
    }

    /** Parameters (values) of the checkpoint. */
    public long parameters() {
        return tensors.stream()
                .mapToLong(t -> t.stats().count() + t.stats().nonFinite())
                .sum();
    }

    /** The tensor at this address, if any (the first when duplicated). */
    public Optional<CheckpointSampleTensor> tensor(TensorAddress a) {
        return tensors.stream().filter(t -> t.address().equals(a)).findFirst();
    }

    /** True when {@code other} was sampled at the same indices (same seed and sizes). */
    public boolean alignedWith(CheckpointSample other) {
        return seed == other.seed && rowSamples == other.rowSamples && columnSamples == other.columnSamples;
    }

    /**
     * An in-memory view whose tensors are the samples (a sampled matrix becomes {@code [rows,
     * columns]} of the sample; a vector {@code [columns]}), at the original addresses, so two aligned
     * checkpoint samples can be compared with the lineage engine: the same seeded row and column indices
     * were read from both. The view has no vocabulary, so embedding rows pair by index. The caller
     * owns the view; closing it is a no-op.
     */
    public ModelView toView(String label) {
        BasicModelView.Builder b = BasicModelView.builder(label, ModelFormat.SAFETENSORS)
                .architecture(architecture)
                .hints(hints);
        for (CheckpointSampleTensor t : tensors) {
            Shape s = t.matrix() ? Shape.of(t.sampledRows(), t.sampledColumns()) : Shape.of(t.sampledColumns());
            b.tensor(new ArrayTensor(t.name(), s, t.address(), t.values()));
        }
        return b.build();
    }
}
