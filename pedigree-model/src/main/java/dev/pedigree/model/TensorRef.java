package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One tensor of a model, readable as float32 in canonical layout without loading the model.
 *
 * <p>The {@link #shape()} is in canonical (PyTorch, row-major, {@code [out, in]}) order whatever
 * the file stores: GGUF's reversed dimensions, ONNX's transposed {@code MatMul} initialisers and
 * llama.cpp's Q/K row permutation are undone by the implementation, so the same weights compare
 * equal across formats. Row {@code r} of the canonical view is the contiguous run of
 * {@link Shape#columns()} values that PyTorch would store at {@code r * columns}.
 *
 * <p>Implementations are immutable and thread-safe; they borrow the bytes of the {@link ModelView}
 * that produced them and must not be used after it is closed.
 */
public interface TensorRef {

    /** The name as stored in the file (or a derived name for split or reconstructed tensors). */
    String name();

    /** Storage type of the stored bytes. */
    DType dtype();

    /** Canonical shape. */
    Shape shape();

    /** Canonical position in the model. */
    TensorAddress address();

    /** Description of the file that holds the bytes. */
    String source();

    /** Number of logical elements. */
    default long elementCount() {
        return shape().elementCount();
    }

    /**
     * The stored bytes exactly as in the file (for the raw content hash). Zero-copy where the source
     * is mapped. Tensors that are views of other tensors return the bytes of the whole parent.
     */
    MemorySegment storedBytes() throws IOException, ModelFormatException;

    /**
     * Decodes canonical rows {@code [firstRow, firstRow + rowCount)} as float32 into {@code dst}
     * starting at {@code dstOffset}; dequantisation and layout changes are applied.
     *
     * @throws dev.pedigree.io.UnsupportedModelException if the dtype cannot be decoded (named)
     * @throws dev.pedigree.io.CorruptModelException if the bytes are inconsistent
     * @throws IndexOutOfBoundsException if the rows or the destination range are out of bounds
     */
    void readRows(long firstRow, int rowCount, float[] dst, int dstOffset) throws IOException, ModelFormatException;

    /**
     * Hints that the given canonical rows (in any order, duplicates allowed) will be read soon, so
     * that an implementation over a slow source (HTTP) can fetch them concurrently rather than one
     * {@link #readRows} call at a time. Reads nothing itself and never fails; rows out of range are
     * ignored. Wrappers that delegate {@link #readRows} should delegate this too (mapping the rows
     * where they map them); the default does nothing.
     */
    default void prefetchRows(int[] rows) {}

    /** Reads every value; only for tensors with fewer than 2^31 elements. */
    default float[] readAll() throws IOException, ModelFormatException {
        Shape s = shape();
        long n = s.elementCount();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("tensor " + name() + " has " + n + " elements; read it by rows");
        }
        float[] out = new float[(int) n];
        long rows = s.rows();
        long cols = s.columns();
        if (n == 0) {
            return out;
        }
        // Read in chunks of rows so implementations never need more than one chunk of scratch.
        int chunk = (int) Math.max(1, Math.min(rows, (1 << 22) / Math.max(1, cols)));
        for (long r = 0; r < rows; r += chunk) {
            int k = (int) Math.min(chunk, rows - r);
            readRows(r, k, out, (int) (r * cols));
        }
        return out;
    }

    /** Reads one canonical row. */
    default float[] readRow(long row) throws IOException, ModelFormatException {
        float[] out = new float[Math.toIntExact(shape().columns())];
        readRows(row, 1, out, 0);
        return out;
    }
}
