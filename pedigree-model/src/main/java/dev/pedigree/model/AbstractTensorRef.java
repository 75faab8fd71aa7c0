package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;

/**
 * The one home of {@link TensorRef#readRows}'s range checks (Netty's {@code AbstractByteBuf} template): the final
 * {@link #readRows} checks the rows against {@link #shape()} and the destination against its array, once, with one
 * message, and only then calls {@link #decodeRows}, which may assume both ranges are valid.
 *
 * <p>Subclasses keep the immutability and thread-safety that {@link TensorRef} requires; this class holds no state.
 */
public abstract class AbstractTensorRef implements TensorRef {

    /** For subclasses. */
    protected AbstractTensorRef() {}

    /**
     * Checks {@code [firstRow, firstRow + rowCount)} against the canonical rows and {@code rowCount × columns} values
     * at {@code dstOffset} against {@code dst}, then decodes.
     *
     * @throws IndexOutOfBoundsException naming the tensor, if either range is out of bounds (nothing is written)
     */
    @Override
    public final void readRows(long firstRow, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        Shape shape = shape();
        long rows = shape.rows();
        if (firstRow < 0 || rowCount < 0 || firstRow > rows - rowCount) {
            throw new IndexOutOfBoundsException("rows " + firstRow + "+" + rowCount + " out of the " + rows
                    + " rows of tensor '" + name() + "' " + shape);
        }
        long values = rowCount * shape.columns();
        if (dstOffset < 0 || values > dst.length - (long) dstOffset) {
            throw new IndexOutOfBoundsException("destination of " + dst.length + " floats cannot take the " + values
                    + " values of tensor '" + name() + "' at " + dstOffset);
        }
        decodeRows(firstRow, rowCount, dst, dstOffset);
    }

    /**
     * Decodes canonical rows {@code [firstRow, firstRow + rowCount)} into {@code dst} from {@code dstOffset}, both
     * ranges already checked by {@link #readRows}; as {@link TensorRef#readRows} otherwise.
     */
    protected abstract void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException;
}
