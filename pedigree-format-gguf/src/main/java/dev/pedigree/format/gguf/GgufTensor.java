package dev.pedigree.format.gguf;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.AbstractTensorRef;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A tensor of a GGUF file, read in canonical layout. The canonical shape is the GGUF dimensions
 * reversed (ne0 becomes the last canonical dimension, so a canonical row is a run of ne0 stored
 * elements). Block-quantised rows are dequantised with {@link GgmlDequant}; plain types go through
 * {@link ElementDecoder}.
 *
 * <p>For LLaMA-family files llama.cpp's conversion permuted the rows of {@code attn_q} and
 * {@code attn_k} per head ({@code reshape(n_head, 2, d/2, ...).swapaxes(1, 2)}); when
 * {@code permuteHeads > 0} this tensor maps canonical row {@code r} back to the stored row, so the
 * values equal the original Hugging Face weights. {@link #storedBytes()} is unaffected.
 *
 * <p>Immutable and thread-safe; it borrows the mapping of the {@link dev.pedigree.model.ModelView}
 * that created it and must not be used after that view is closed.
 */
public final class GgufTensor extends AbstractTensorRef {
    /** Bytes of quantised data decoded per chunk (bounds the scratch buffer). */
    private static final int CHUNK_BYTES = 1 << 20;

    private final GgufTensorInfo info;
    private final String source;
    private final MemorySegment data;
    private final ByteOrder order;
    private final Shape shape;
    private final TensorAddress address;
    private final int permuteHeads;
    private final long rowBytes;

    /**
     * @param info the validated tensor info
     * @param source description of the file that holds the bytes
     * @param data exactly the tensor's bytes (a slice of the mapping)
     * @param order the file's byte order
     * @param address canonical address
     * @param permuteHeads number of heads whose Q/K row permutation is undone, or 0 for none
     */
    public GgufTensor(
            GgufTensorInfo info,
            String source,
            MemorySegment data,
            ByteOrder order,
            TensorAddress address,
            int permuteHeads) {
        this.info = Objects.requireNonNull(info);
        this.source = Objects.requireNonNull(source);
        this.data = Objects.requireNonNull(data);
        this.order = Objects.requireNonNull(order);
        this.address = Objects.requireNonNull(address);
        if (data.byteSize() != info.byteSize()) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes for tensor " + info);
        }
        this.shape = new Shape(info.canonicalDims());
        if (permuteHeads < 0 || (permuteHeads > 0 && !permutable(info, permuteHeads))) {
            throw new IllegalArgumentException("cannot un-permute " + info + " with " + permuteHeads + " heads");
        }
        this.permuteHeads = permuteHeads;
        this.rowBytes = info.type().byteSizeFor(shape.columns());
    }

    /** Whether the rows of {@code info} can be split into {@code heads} heads of even size. */
    static boolean permutable(GgufTensorInfo info, int heads) {
        if (info.rank() != 2 || heads <= 0) {
            return false;
        }
        long rows = info.dims()[1];
        return rows % heads == 0 && (rows / heads) % 2 == 0;
    }

    /** The GGUF tensor info. */
    public GgufTensorInfo info() {
        return info;
    }

    /** The ggml storage type. */
    public GgmlType ggmlType() {
        return info.type();
    }

    /** Heads whose Q/K permutation is undone on read (0 for none). */
    public int permutedHeads() {
        return permuteHeads;
    }

    @Override
    public String name() {
        return info.name();
    }

    @Override
    public DType dtype() {
        return info.type().dtype();
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

    @Override
    public MemorySegment storedBytes() {
        return data;
    }

    /**
     * The stored row that holds canonical row {@code r}. With D rows per head and half = D/2, the
     * conversion stored original row {@code h*D + a*half + i} at {@code h*D + 2*i + a}.
     */
    public long storedRow(long r) {
        if (permuteHeads == 0) {
            return r;
        }
        long d = shape.rows() / permuteHeads;
        long half = d / 2;
        long h = r / d;
        long within = r % d;
        long a = within / half;
        long i = within % half;
        return h * d + 2 * i + a;
    }

    @Override
    protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset) throws ModelFormatException {
        long cols = shape.columns();
        GgmlType type = info.type();
        if (!type.decodable()) {
            throw new UnsupportedModelException(
                    source,
                    info.dataOffset(),
                    "tensor '" + info.name() + "' is stored as ggml type " + type
                            + ", which Pedigree cannot decode to float32");
        }
        if (rowCount == 0 || cols == 0) {
            return;
        }
        if (permuteHeads == 0) {
            decodeRun(firstRow, rowCount, dst, dstOffset);
        } else {
            for (int k = 0; k < rowCount; k++) {
                decodeRun(storedRow(firstRow + k), 1, dst, (int) (dstOffset + k * cols));
            }
        }
    }

    /** Decodes stored rows {@code [row, row+count)}, which are contiguous. */
    private void decodeRun(long row, int count, float[] dst, int dstOffset) {
        long cols = shape.columns();
        long byteOff = row * rowBytes;
        GgmlType type = info.type();
        if (!type.blockQuantised()) {
            ElementDecoder.decode(type.dtype(), data, byteOff, dst, dstOffset, (int) (count * cols), order);
            return;
        }
        long blocks = count * cols / type.blockSize();
        int perChunk = Math.max(1, CHUNK_BYTES / type.typeSize());
        byte[] scratch = new byte[(int) Math.min(blocks, perChunk) * type.typeSize()];
        boolean be = order == ByteOrder.BIG_ENDIAN;
        int out = dstOffset;
        for (long b = 0; b < blocks; ) {
            int n = (int) Math.min(perChunk, blocks - b);
            int len = n * type.typeSize();
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, byteOff + b * type.typeSize(), scratch, 0, len);
            GgmlDequant.dequantize(type, scratch, 0, n, dst, out, be);
            out += n * type.blockSize();
            b += n;
        }
    }

    @Override
    public String toString() {
        return "GgufTensor[" + info + (permuteHeads > 0 ? ", unpermuted over " + permuteHeads + " heads" : "") + "]";
    }
}
