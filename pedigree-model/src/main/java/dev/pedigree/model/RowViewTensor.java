package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A logical tensor whose canonical rows are rows of a parent tensor, chosen by {@link #parentRow}: a part of a fused
 * tensor or one expert of a stacked one. It has the parent's dtype and source, and its stored bytes are the whole
 * parent's, as for every view; reads and prefetches go to the parent, and nothing is copied up front.
 *
 * <p>Immutable and thread-safe as long as the parent is.
 */
public abstract class RowViewTensor extends AbstractTensorRef {
    private final TensorRef parent;
    private final String name;
    private final Shape shape;
    private final TensorAddress address;

    /**
     * @param parent the tensor the rows come from
     * @param name name of the part, e.g. {@code model.layers.0.self_attn.qkv_proj.weight[q]}
     * @param shape canonical shape of the part
     * @param address canonical address of the part
     */
    protected RowViewTensor(TensorRef parent, String name, Shape shape, TensorAddress address) {
        this.parent = Objects.requireNonNull(parent, "parent");
        this.name = Objects.requireNonNull(name, "name");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.address = address;
    }

    /** The tensor the rows come from. */
    public TensorRef parent() {
        return parent;
    }

    /**
     * The parent's canonical row that holds row {@code row} of this part, or -1 when this part's rows are not whole
     * rows of the parent (a slice of a vector's elements), so there is nothing to prefetch row by row.
     */
    protected abstract long parentRow(long row);

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return parent.dtype();
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public TensorAddress address() {
        return address;
    }

    @Override
    public String source() {
        return parent.source();
    }

    @Override
    public MemorySegment storedBytes() throws IOException, ModelFormatException {
        return parent.storedBytes();
    }

    @Override
    public void prefetchRows(int[] rows) {
        int[] mapped = new int[rows.length];
        int n = 0;
        for (int r : rows) {
            if (r >= 0 && r < shape.rows()) {
                long p = parentRow(r);
                if (p >= 0 && p <= Integer.MAX_VALUE) {
                    mapped[n++] = (int) p;
                }
            }
        }
        parent.prefetchRows(Arrays.copyOf(mapped, n));
    }
}
