package dev.pedigree.fingerprint;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.AbstractTensorRef;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A lazy view of some rows and columns of another tensor, seen as the matrix
 * {@code [dim0, rest]} (a vector as {@code [1, n]}). Reads go to the parent one row at a time;
 * nothing is copied up front. A vector parent stays a vector ({@code [k]}); any other parent
 * becomes a matrix {@code [rows kept, columns kept]}.
 *
 * <p>Immutable and thread-safe as long as the parent is; borrows the parent's bytes.
 */
public final class RestrictedTensor extends AbstractTensorRef {
    private final TensorRef parent;
    private final int[] rows;
    private final int[] cols;
    private final long parentRows;
    private final long parentCols;
    private final Shape shape;

    /**
     * @param parent the tensor to restrict
     * @param rows kept rows of {@code [dim0, rest]} in the order given, or null for all
     * @param cols kept columns of {@code [dim0, rest]} in the order given, or null for all
     * @throws IllegalArgumentException if an index is out of range or the parent is too large
     */
    public RestrictedTensor(TensorRef parent, int[] rows, int[] cols) {
        this.parent = parent;
        long[] rc = matrixShape(parent.shape());
        this.parentRows = rc[0];
        this.parentCols = rc[1];
        if (parentCols > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(parent.name() + ": rows of " + parentCols + " values are too long");
        }
        this.rows = rows == null ? null : check(rows.clone(), parentRows, parent.name() + " row");
        this.cols = cols == null ? null : check(cols.clone(), parentCols, parent.name() + " column");
        long r = rows == null ? parentRows : rows.length;
        long c = cols == null ? parentCols : cols.length;
        this.shape = parent.shape().rank() <= 1 ? Shape.of(c) : Shape.of(r, c);
    }

    /** Rows and columns of a shape seen as {@code [dim0, rest]}; a vector or scalar is {@code [1, n]}. */
    public static long[] matrixShape(Shape s) {
        if (s.rank() <= 1) {
            return new long[] {1, s.elementCount()};
        }
        long r = s.dim(0);
        return new long[] {r, r == 0 ? 0 : s.elementCount() / r};
    }

    private static int[] check(int[] idx, long n, String what) {
        for (int i : idx) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(what + " index " + i + " out of range [0, " + n + ")");
            }
        }
        return idx;
    }

    /** The restricted tensor. */
    public TensorRef parent() {
        return parent;
    }

    @Override
    public String name() {
        return parent.name();
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public TensorAddress address() {
        return parent.address();
    }

    @Override
    public String source() {
        return parent.source();
    }

    /** The kept values as little-endian float32 (a restricted view has no stored bytes of its own). */
    @Override
    public MemorySegment storedBytes() throws IOException, ModelFormatException {
        float[] v = readAll();
        MemorySegment seg = MemorySegment.ofArray(new byte[v.length * 4]);
        MemorySegment.copy(
                v,
                0,
                seg,
                java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN),
                0,
                v.length);
        return seg;
    }

    @Override
    protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        int outCols = (int) (cols == null ? parentCols : cols.length);
        float[] tmp = new float[(int) parentCols];
        long canonicalPerRow = parentRows == 0 ? 0 : parent.shape().rows() / parentRows;
        for (int i = 0; i < rowCount; i++) {
            long pr = rows == null ? firstRow + i : rows[(int) (firstRow + i)];
            if (parent.shape().rank() <= 1) {
                parent.readRows(0, 1, tmp, 0);
            } else {
                parent.readRows(pr * canonicalPerRow, (int) canonicalPerRow, tmp, 0);
            }
            int base = dstOffset + i * outCols;
            if (cols == null) {
                System.arraycopy(tmp, 0, dst, base, outCols);
            } else {
                for (int j = 0; j < outCols; j++) {
                    dst[base + j] = tmp[cols[j]];
                }
            }
        }
    }
}
