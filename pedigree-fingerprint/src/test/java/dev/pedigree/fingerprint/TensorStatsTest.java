package dev.pedigree.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fingerprint's per-tensor hash and statistics, now one {@link dev.pedigree.model.TensorScan}
 * pass, against the loop {@code Fingerprint.scan} ran before: the same digest and bit-identical
 * statistics (records compare doubles bit for bit), so fingerprint files do not change.
 */
class TensorStatsTest {
    private static final TensorAddress ADDR = TensorAddress.of(Component.TEXT_DECODER, 1, Role.MLP_DOWN, Part.WEIGHT);

    /** {@code Fingerprint.scan} before TensorScan, verbatim but for the digest factory. */
    private static Fingerprint.ScanResult previousScan(TensorRef t) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Shape s = t.shape();
        ByteBuffer hdr = ByteBuffer.allocate(8 + 8 * s.rank()).order(ByteOrder.LITTLE_ENDIAN);
        hdr.putLong(s.rank());
        for (long d : s.dims()) {
            hdr.putLong(d);
        }
        md.update(hdr.array());
        long rows = s.rows();
        long cols = s.columns();
        double sum = 0;
        double sumSq = 0;
        long finite = 0;
        long nonFinite = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean constant = true;
        int firstBits = 0;
        boolean first = true;
        if (s.elementCount() > 0) {
            int chunkRows = (int) Math.max(1, Math.min(rows, (1 << 20) / cols));
            float[] vals = new float[(int) (chunkRows * cols)];
            ByteBuffer bytes = ByteBuffer.allocate(vals.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (long r = 0; r < rows; r += chunkRows) {
                int k = (int) Math.min(chunkRows, rows - r);
                t.readRows(r, k, vals, 0);
                bytes.clear();
                int n = (int) (k * cols);
                for (int i = 0; i < n; i++) {
                    float v = vals[i];
                    int bits = Float.isNaN(v) ? 0x7FC00000 : (v == 0f ? 0 : Float.floatToRawIntBits(v));
                    bytes.putInt(bits);
                    if (first) {
                        firstBits = bits;
                        first = false;
                    } else if (bits != firstBits) {
                        constant = false;
                    }
                    if (Float.isFinite(v)) {
                        finite++;
                        sum += v;
                        sumSq += (double) v * v;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    } else {
                        nonFinite++;
                    }
                }
                md.update(bytes.array(), 0, n * 4);
            }
        }
        double mean = finite == 0 ? 0 : sum / finite;
        double var = finite == 0 ? 0 : Math.max(0, sumSq / finite - mean * mean);
        TensorStats stats = new TensorStats(
                mean,
                Math.sqrt(var),
                finite == 0 ? 0 : Math.sqrt(sumSq / finite),
                finite == 0 ? 0 : min,
                finite == 0 ? 0 : max,
                nonFinite,
                constant);
        return new Fingerprint.ScanResult(HexFormat.of().formatHex(md.digest()), stats);
    }

    private static void assertSame(Shape shape, float[] values) throws Exception {
        TensorRef t = new ArrayTensor("t", shape, ADDR, values);
        assertThat(Fingerprint.scan(t)).isEqualTo(previousScan(t));
    }

    @Test
    void hashAndStatisticsAreThoseOfThePreviousLoop() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        // Three chunks of 2^20 values (the last one short), with a few special values in the stream.
        float[] big = new float[2100 * 1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) (rnd.nextGaussian() * 0.02 + 1e-3);
        }
        big[17] = Float.NaN;
        big[1_500_000] = Float.NEGATIVE_INFINITY;
        big[2_000_000] = Float.MIN_VALUE;
        assertSame(Shape.of(2100, 1000), big);
        assertSame(Shape.of(3, 7), new float[] {
            -0f,
            0f,
            Float.NaN,
            Float.intBitsToFloat(0x7FC00001),
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            Float.POSITIVE_INFINITY,
            -1e30f,
            1e30f,
            0.5f
        });
        assertSame(Shape.of(0, 4), new float[0]);
        assertSame(Shape.of(5), new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN, Float.NaN});
    }

    @Test
    void constantIsJudgedOnCanonicalBits() throws Exception {
        TensorRef zeros = new ArrayTensor("z", Shape.of(4), ADDR, new float[] {0f, -0f, 0f, -0f});
        assertThat(Fingerprint.scan(zeros).stats().constant()).isTrue();
        TensorRef nans =
                new ArrayTensor("n", Shape.of(2), ADDR, new float[] {Float.NaN, Float.intBitsToFloat(0xFFC00001)});
        assertThat(Fingerprint.scan(nans).stats().constant()).isTrue();
        TensorRef tiny = new ArrayTensor("t", Shape.of(2), ADDR, new float[] {0f, Float.MIN_VALUE});
        assertThat(Fingerprint.scan(tiny).stats().constant()).isFalse();
    }
}
