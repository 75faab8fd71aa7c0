package dev.pedigree.format.onnx;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.AbstractTensorRef;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.lang.foreign.MemorySegment;

/**
 * One tensor of an ONNX model in canonical layout: an initialiser, a Constant node's value, a
 * subgraph initialiser, or the logical weight of an onnxruntime dynamic-int8 triple
 * ({@code W_quantized}, {@code W_scale}, {@code W_zero_point}), whose rows are dequantised as
 * {@code (q - zero_point) * scale}.
 *
 * <p>{@link #name()} is the Hugging Face style name derived from the graph (for example
 * {@code encoder.layer.0.attention.self.query.weight} for {@code onnx::MatMul_787});
 * {@link #storedName()} is the name in the file. A MatMul initialiser is stored {@code [in, out]};
 * its canonical {@link #shape()} is {@code [out, in]} and {@link #readRows} gathers the strided
 * columns. {@link #storedBytes()} is a slice of the mapped file (the quantised bytes for a
 * dequantised weight).
 *
 * <p>Immutable and thread-safe; borrows the mappings of the view that created it and must not be
 * used after that view is closed.
 */
public final class OnnxTensor extends AbstractTensorRef {
    /** Up to this many canonical rows of a transposed weight are read as strided stored columns. */
    static final int STRIDED_ROWS = 8;

    /** How to dequantise stored integers; the channel of stored element s is {@code (s / stride) % channels}. */
    record Dequantisation(OnnxTensorData scale, OnnxTensorData zeroPoint, long stride, long channels) {}

    private final String name;
    private final String storedName;
    private final String source;
    private final long offset;
    private final DType dtype;
    private final OnnxDataType onnxType;
    private final long[] storedDims;
    private final Shape shape;
    private final boolean transposed;
    private final TensorAddress address;
    private final OnnxWeightBinding binding;
    private final OnnxTensorData data;
    private final MemorySegment stored;
    private final String unsupported;
    private final Dequantisation dequant;
    private volatile float[][] dequantTables;

    OnnxTensor(
            String name,
            String storedName,
            String source,
            long offset,
            OnnxDataType onnxType,
            long[] storedDims,
            boolean transposed,
            TensorAddress address,
            OnnxWeightBinding binding,
            OnnxTensorData data,
            MemorySegment stored,
            String unsupported,
            Dequantisation dequant) {
        this.name = name;
        this.storedName = storedName;
        this.source = source;
        this.offset = offset;
        this.onnxType = onnxType;
        this.dtype = onnxType == null ? DType.UNKNOWN : onnxType.dtype();
        this.storedDims = storedDims.clone();
        this.transposed = transposed && storedDims.length == 2;
        this.shape = this.transposed ? Shape.of(storedDims[1], storedDims[0]) : new Shape(storedDims);
        this.address = address;
        this.binding = binding;
        this.data = data;
        this.stored = stored;
        this.unsupported = unsupported;
        this.dequant = dequant;
    }

    @Override
    public String name() {
        return name;
    }

    /** The name stored in the file ({@code onnx::MatMul_787_quantized}, a Constant's output name). */
    public String storedName() {
        return storedName;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    /** The ONNX data type, or null when the file used an id this version does not know. */
    public OnnxDataType onnxType() {
        return onnxType;
    }

    @Override
    public Shape shape() {
        return shape;
    }

    /** Dims as stored in the file (before the canonical transpose). */
    public long[] storedDims() {
        return storedDims.clone();
    }

    /** Whether the canonical view is the transpose of the stored matrix. */
    public boolean transposed() {
        return transposed;
    }

    /** Whether rows are dequantised from an integer weight with a scale and zero point. */
    public boolean dequantised() {
        return dequant != null;
    }

    /** What the graph walk found for this tensor. */
    public OnnxWeightBinding binding() {
        return binding;
    }

    /** Absolute offset in the model file of the TensorProto that holds this tensor. */
    public long offset() {
        return offset;
    }

    /** Why the values cannot be decoded (sparse, string, 4-bit...), or null when they can. */
    public String unsupportedReason() {
        return unsupported;
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
        return stored;
    }

    @Override
    protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset) throws ModelFormatException {
        long cols = shape.columns();
        long n = rowCount * cols;
        if (data == null) {
            throw new UnsupportedModelException(
                    source, offset, "tensor '" + name + "' (" + storedName + "): " + unsupported);
        }
        if (n == 0) {
            return;
        }
        float[][] tables = dequant == null ? null : tables();
        if (!transposed) {
            long start = firstRow * cols;
            data.read(start, (int) n, dst, dstOffset);
            if (tables != null) {
                dequantiseRun(tables, start, dst, dstOffset, (int) n);
            }
            return;
        }
        // Stored [K, N] = [in, out]; canonical row o is stored column o: element (i, o) sits at i * N + o.
        long inner = storedDims[0];
        long outer = storedDims[1];
        if (data.randomAccess() && rowCount <= STRIDED_ROWS) {
            // A few canonical rows (the sampled rows of a compare, one at a time): each is a stored column, read
            // in place with the row length as stride, instead of one one-element read per stored row.
            for (int o = 0; o < rowCount; o++) {
                int at = dstOffset + (int) (o * inner);
                data.readStrided(firstRow + o, outer, (int) inner, dst, at);
                if (tables != null) {
                    for (int i = 0; i < inner; i++) {
                        dst[at + i] = dequantise(tables, i * outer + firstRow + o, dst[at + i]);
                    }
                }
            }
        } else if (data.randomAccess()) {
            float[] column = new float[rowCount];
            for (long i = 0; i < inner; i++) {
                long base = i * outer + firstRow;
                data.read(base, rowCount, column, 0);
                if (tables != null) {
                    dequantiseRun(tables, base, column, 0, rowCount);
                }
                for (int o = 0; o < rowCount; o++) {
                    dst[dstOffset + (int) (o * inner + i)] = column[o];
                }
            }
        } else {
            long last = firstRow + rowCount;
            data.scan((s, v) -> {
                long o = s % outer;
                if (o >= firstRow && o < last) {
                    long i = s / outer;
                    dst[dstOffset + (int) ((o - firstRow) * inner + i)] = tables == null ? v : dequantise(tables, s, v);
                }
            });
        }
    }

    /** Refuses undecodable tensors by name before any allocation, whatever their claimed size. */
    @Override
    public float[] readAll() throws java.io.IOException, ModelFormatException {
        if (data == null) {
            throw new UnsupportedModelException(
                    source, offset, "tensor '" + name + "' (" + storedName + "): " + unsupported);
        }
        return super.readAll();
    }

    /** Dequantises the stored run {@code [start, start + n)} held in {@code buf[off..]}, stepping the channel instead of dividing per element. */
    private void dequantiseRun(float[][] tables, long start, float[] buf, int off, int n) {
        float[] scale = tables[0];
        float[] zero = tables[1];
        if (scale.length == 1) {
            float s = scale[0];
            float zp = zero == null ? 0f : zero[0];
            for (int k = 0; k < n; k++) {
                buf[off + k] = (buf[off + k] - zp) * s;
            }
            return;
        }
        long stride = dequant.stride();
        long channels = dequant.channels();
        int c = (int) ((start / stride) % channels);
        long within = start % stride;
        boolean perChannelZero = zero != null && zero.length > 1;
        for (int k = 0; k < n; k++) {
            float zp = zero == null ? 0f : zero[perChannelZero ? c : 0];
            buf[off + k] = (buf[off + k] - zp) * scale[c];
            if (++within == stride) {
                within = 0;
                if (++c == channels) {
                    c = 0;
                }
            }
        }
    }

    private float dequantise(float[][] tables, long storedIndex, float q) {
        float[] scale = tables[0];
        float[] zero = tables[1];
        int c = scale.length == 1 ? 0 : (int) ((storedIndex / dequant.stride()) % dequant.channels());
        float zp = zero == null ? 0f : zero[zero.length == 1 ? 0 : c];
        return (q - zp) * scale[c];
    }

    private float[][] tables() throws CorruptModelException {
        float[][] t = dequantTables;
        if (t == null) {
            float[] scale = readSmall(dequant.scale());
            float[] zero = dequant.zeroPoint() == null ? null : readSmall(dequant.zeroPoint());
            t = new float[][] {scale, zero};
            dequantTables = t;
        }
        return t;
    }

    private static float[] readSmall(OnnxTensorData d) throws CorruptModelException {
        float[] out = new float[(int) d.elementCount()];
        if (out.length > 0) {
            d.read(0, out.length, out, 0);
        }
        return out;
    }

    @Override
    public String toString() {
        return name + (name.equals(storedName) ? "" : " (" + storedName + ")") + " " + dtype + " " + shape + " "
                + address;
    }
}
