package dev.pedigree.io;

import java.util.Locale;

/**
 * The most tensors one model file may hold. Every tensor costs heap in the view built over it (its name, shape,
 * address and the component its name puts it in), so a small file listing millions of empty tensors would exhaust the
 * heap; the largest real checkpoints hold well under a hundred thousand (a 61-layer, 384-expert mixture of experts with
 * quantisation scales: about 140,000). Readers check the count as soon as they know it, before building anything per
 * tensor.
 */
public final class TensorCountLimit {
    /** Tensors per file. */
    public static final long MAX_TENSORS = 200_000;

    private TensorCountLimit() {}

    /**
     * Refuses a file that holds (or has begun to list) more than {@link #MAX_TENSORS} tensors.
     *
     * @param offset where the count, or the tensor over the limit, is
     * @throws UnsupportedModelException naming the file, the offset and the limit
     */
    public static void check(String source, long offset, long count) throws UnsupportedModelException {
        if (count > MAX_TENSORS) {
            throw new UnsupportedModelException(
                    source,
                    offset,
                    String.format(
                            Locale.ROOT,
                            "holds %,d tensors, more than the limit of %,d tensors per file (each costs heap in the"
                                    + " model view)",
                            count,
                            MAX_TENSORS));
        }
    }
}
