package dev.pedigree.format.safetensors;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.AbstractTensorRef;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One tensor of a safetensors file, read zero-copy from the file's mapping. Bytes are sliced from
 * the source only when rows are read, so over an HTTP source only the rows asked for are fetched. Safetensors stores
 * PyTorch's row-major layout, so the stored shape is already canonical and row {@code r} is the
 * contiguous run at {@code r * columns} elements.
 *
 * <p>An FP8 weight that has a block-scale sibling ({@code W_scale_inv}) is dequantised on read:
 * element {@code (i, j)} is {@code w[i][j] * scale_inv[i / blockRows][j / blockColumns]}.
 * {@link #storedBytes()} still returns the stored FP8 bytes.
 *
 * <p>Over a slow source, {@link #prefetchRows} and multi-row {@link #readRows} first hint the
 * source ({@link ByteSource#prefetch}) with all the rows' byte ranges, so an HTTP source fetches
 * them with several requests in flight; rows are then decoded chunk by chunk as they arrive.
 *
 * <p>Immutable and thread-safe. It borrows the mapping of the model view that created it and must
 * not be used after that view is closed.
 */
public final class SafetensorsTensor extends AbstractTensorRef {
    /** Bytes decoded per slice in a multi-row read: the rows after it may still be arriving. */
    private static final long DECODE_CHUNK_BYTES = 1 << 20;

    /** Size of each pooled read buffer; a chunk of rows larger than it is read as a slice. */
    private static final long SCRATCH_BYTES = 2 * DECODE_CHUNK_BYTES;

    /**
     * Idle native read buffers (a pool, not thread-locals: the common fork-join pool erases its
     * workers' thread-locals after every task). At most {@link #SCRATCH_KEPT} are kept; others are
     * freed by the garbage collector.
     */
    private static final java.util.concurrent.ConcurrentLinkedQueue<MemorySegment> SCRATCH =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static final int SCRATCH_KEPT = 16;

    private static MemorySegment takeScratch() {
        MemorySegment m = SCRATCH.poll();
        return m != null ? m : java.lang.foreign.Arena.ofAuto().allocate(SCRATCH_BYTES, 64);
    }

    private static void returnScratch(MemorySegment m) {
        if (m != null && SCRATCH.size() < SCRATCH_KEPT) {
            SCRATCH.offer(m);
        }
    }

    private final String name;
    private final SafetensorsDType stored;
    private final Shape shape;
    private final TensorAddress address;
    private final String source;
    private final ByteSource src;
    private final long length;
    private final long fileOffset;
    private final BlockScale scale;
    private final String refusal;

    /**
     * The block scale applied to an FP8 weight.
     *
     * @param scales the {@code _scale_inv} tensor, {@code [ceil(out/blockRows), ceil(in/blockColumns)]}
     *     (or a single value for one scale over the whole tensor)
     * @param blockRows rows of the weight covered by one scale row
     * @param blockColumns columns of the weight covered by one scale column
     */
    public record BlockScale(SafetensorsTensor scales, long blockRows, long blockColumns) {
        public BlockScale {
            Objects.requireNonNull(scales, "scales");
            if (blockRows <= 0 || blockColumns <= 0) {
                throw new IllegalArgumentException("block " + blockRows + "x" + blockColumns);
            }
        }
    }

    SafetensorsTensor(
            String name,
            SafetensorsDType stored,
            Shape shape,
            TensorAddress address,
            String source,
            ByteSource src,
            long length,
            long fileOffset,
            BlockScale scale,
            String refusal) {
        this.name = Objects.requireNonNull(name, "name");
        this.stored = Objects.requireNonNull(stored, "stored");
        this.shape = Objects.requireNonNull(shape, "shape");
        this.address = Objects.requireNonNull(address, "address");
        this.source = Objects.requireNonNull(source, "source");
        this.src = Objects.requireNonNull(src, "src");
        this.length = length;
        this.fileOffset = fileOffset;
        this.scale = scale;
        this.refusal = refusal;
        long expected = stored.byteSizeFor(shape.elementCount());
        if (expected != length) {
            throw new IllegalArgumentException(name + ": " + length + " bytes for " + shape + " of " + stored);
        }
    }

    /** A copy of this tensor that dequantises with {@code blockScale}. */
    SafetensorsTensor withScale(BlockScale blockScale) {
        return new SafetensorsTensor(
                name, stored, shape, address, source, src, length, fileOffset, blockScale, refusal);
    }

    /** A copy of this tensor whose values are refused with {@code reason} when read. */
    SafetensorsTensor refusing(String reason) {
        return new SafetensorsTensor(name, stored, shape, address, source, src, length, fileOffset, scale, reason);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return stored.modelType();
    }

    /** The dtype string as written in the header. */
    public SafetensorsDType safetensorsDType() {
        return stored;
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
        return source;
    }

    /** Absolute offset of the tensor's first byte in its file. */
    public long fileOffset() {
        return fileOffset;
    }

    /** The block scale applied on read, if this is a block-scaled FP8 weight. */
    public Optional<BlockScale> blockScale() {
        return Optional.ofNullable(scale);
    }

    @Override
    public MemorySegment storedBytes() throws IOException, ModelFormatException {
        return src.slice(fileOffset, length);
    }

    @Override
    protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        long cols = shape.columns();
        long count = rowCount * cols;
        if (count == 0) {
            return;
        }
        DType type = stored.modelType();
        if (!ElementDecoder.handles(type)) {
            throw new UnsupportedModelException(
                    source,
                    fileOffset,
                    "tensor '" + name + "' has dtype " + stored + ", whose values Pedigree cannot decode");
        }
        if (refusal != null) {
            throw new UnsupportedModelException(source, fileOffset, refusal);
        }
        long rowBytes = cols * type.blockBytes();
        long start = fileOffset + firstRow * rowBytes;
        int chunkRows = Math.clamp(DECODE_CHUNK_BYTES / rowBytes, 1, rowCount);
        if (chunkRows < rowCount) {
            src.prefetch(start, rowCount * rowBytes);
        }
        long chunkBytes = chunkRows * rowBytes;
        MemorySegment scratch = chunkBytes <= SCRATCH_BYTES ? takeScratch() : null;
        try {
            decodeChunks(type, start, rowBytes, chunkRows, rowCount, cols, scratch, dst, dstOffset);
        } finally {
            returnScratch(scratch);
        }
        if (scale != null) {
            applyScale(firstRow, rowCount, cols, dst, dstOffset);
        }
    }

    private void decodeChunks(
            DType type,
            long start,
            long rowBytes,
            int chunkRows,
            int rowCount,
            long cols,
            MemorySegment scratch,
            float[] dst,
            int dstOffset)
            throws IOException, ModelFormatException {
        for (int r = 0; r < rowCount; r += chunkRows) {
            int k = Math.min(chunkRows, rowCount - r);
            MemorySegment chunk;
            if (scratch != null) {
                // Copied into a pooled buffer (positional reads for a local file: no page faults, no
                // resident mapping) and decoded from it while it is in cache.
                chunk = scratch.asSlice(0, k * rowBytes);
                src.copyTo(start + r * rowBytes, chunk);
            } else {
                chunk = src.slice(start + r * rowBytes, k * rowBytes);
            }
            ElementDecoder.decode(type, chunk, 0, dst, dstOffset + (int) (r * cols), (int) (k * cols));
        }
    }

    /**
     * Hints the source with the byte ranges of {@code rows} (sorted, adjacent rows merged into one
     * range), and with the scale rows they need. Rows out of range are ignored; a tensor whose
     * values cannot be read hints nothing.
     */
    @Override
    public void prefetchRows(int[] rows) {
        DType type = stored.modelType();
        if (rows == null || rows.length == 0 || refusal != null || !ElementDecoder.handles(type)) {
            return;
        }
        long total = shape.rows();
        long rowBytes = shape.columns() * type.blockBytes();
        if (rowBytes == 0) {
            return;
        }
        int[] sorted = rows.clone();
        Arrays.sort(sorted);
        int i = 0;
        while (i < sorted.length && sorted[i] < 0) {
            i++;
        }
        while (i < sorted.length && sorted[i] < total) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] <= sorted[j] + 1 && sorted[j + 1] < total) {
                j++;
            }
            src.prefetch(fileOffset + sorted[i] * rowBytes, (sorted[j] - (long) sorted[i] + 1) * rowBytes);
            i = j + 1;
        }
        if (scale != null) {
            int[] scaleRows = Arrays.stream(sorted)
                    .filter(r -> r >= 0 && r < total)
                    .map(r -> (int) (r / scale.blockRows()))
                    .distinct()
                    .toArray();
            scale.scales().prefetchRows(scaleRows);
        }
    }

    private void applyScale(long firstRow, int rowCount, long cols, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        SafetensorsTensor s = scale.scales();
        long blockRows = scale.blockRows();
        long blockCols = scale.blockColumns();
        float[] scaleRow = new float[Math.toIntExact(s.shape().columns())];
        long loaded = -1;
        for (int r = 0; r < rowCount; r++) {
            long blockRow = (firstRow + r) / blockRows;
            if (blockRow != loaded) {
                s.readRows(blockRow, 1, scaleRow, 0);
                loaded = blockRow;
            }
            int base = dstOffset + (int) (r * cols);
            for (int j = 0; j < cols; j++) {
                dst[base + j] *= scaleRow[(int) (j / blockCols)];
            }
        }
    }

    @Override
    public String toString() {
        return name + " " + stored + " " + shape + " @" + fileOffset + " in " + source;
    }
}
