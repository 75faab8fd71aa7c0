package dev.pedigree.formats;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A tensor whose canonical address was recomputed with facts the file reader did not have (the
 * directory's config.json). Everything else is delegated.
 */
record ReaddressedTensor(TensorRef delegate, TensorAddress address) implements TensorRef {

    /**
     * Readdresses a whole model's tensors with {@code hints}. Names are classified as one set,
     * because some families (Gemma's sandwich norms) are only recognisable from the presence of
     * other names.
     */
    static List<TensorRef> all(List<? extends TensorRef> tensors, ArchitectureHints hints) {
        List<TensorAddress> addresses =
                TensorNaming.classifyAll(tensors.stream().map(TensorRef::name).toList(), hints);
        List<TensorRef> out = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            out.add(new ReaddressedTensor(tensors.get(i), addresses.get(i)));
        }
        return out;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public DType dtype() {
        return delegate.dtype();
    }

    @Override
    public Shape shape() {
        return delegate.shape();
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public MemorySegment storedBytes() throws IOException, ModelFormatException {
        return delegate.storedBytes();
    }

    @Override
    public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        delegate.readRows(firstRow, rowCount, dst, dstOffset);
    }

    @Override
    public void prefetchRows(int[] rows) {
        delegate.prefetchRows(rows);
    }
}
