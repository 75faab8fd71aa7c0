package dev.pedigree.formats;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A tensor whose canonical address was recomputed with facts the file reader did not have (the
 * directory's config.json). Everything else is delegated.
 */
record ReaddressedTensor(TensorRef delegate, TensorAddress address) implements TensorRef {
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
  public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset) throws IOException, ModelFormatException {
    delegate.readRows(firstRow, rowCount, dst, dstOffset);
  }
}
