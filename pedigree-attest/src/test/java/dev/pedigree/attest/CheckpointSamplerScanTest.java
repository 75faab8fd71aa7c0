package dev.pedigree.attest;

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
 * A checkpoint sample's tensor, now one {@link dev.pedigree.model.TensorScan} pass, against the loop
 * the sampler ran before: the same canonical hash, bit-identical moments (summed chunk by chunk),
 * sample and row norms, so sidecars and ledgers do not change.
 */
class CheckpointSamplerScanTest {
    private static final CheckpointSampler.Options OPTIONS = new CheckpointSampler.Options(7, 64, 512, 1);

    /** The tensor the sampler built before TensorScan (its loop verbatim but for the digest factory). */
    private static CheckpointSampleTensor previous(TensorRef t, int[] rowIdx, int[] colIdx) throws Exception {
        Shape s = t.shape();
        long rows = s.rows();
        long cols = s.columns();
        boolean matrix = s.rank() >= 2;
        float[] sample = new float[Math.multiplyExact(rowIdx.length, colIdx.length)];
        float[] norms = CheckpointSampler.tokenIndexed(t.address()) && matrix ? new float[(int) rows] : null;
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer hdr = ByteBuffer.allocate(8 + 8 * s.rank()).order(ByteOrder.LITTLE_ENDIAN);
        hdr.putLong(s.rank());
        for (long d : s.dims()) {
            hdr.putLong(d);
        }
        md.update(hdr.array());
        CheckpointMoments.Accumulator acc = new CheckpointMoments.Accumulator();
        if (s.elementCount() > 0) {
            int c = (int) cols;
            int chunkRows = (int) Math.max(1, Math.min(rows, (1 << 20) / cols));
            float[] vals = new float[Math.multiplyExact(chunkRows, c)];
            ByteBuffer bytes =
                    ByteBuffer.allocate(Math.multiplyExact(vals.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
            int nextSample = 0;
            for (long r = 0; r < rows; r += chunkRows) {
                int k = (int) Math.min(chunkRows, rows - r);
                t.readRows(r, k, vals, 0);
                int n = k * c;
                bytes.clear();
                for (int i = 0; i < n; i++) {
                    float v = vals[i];
                    bytes.putInt(Float.isNaN(v) ? 0x7FC00000 : (v == 0f ? 0 : Float.floatToRawIntBits(v)));
                }
                md.update(bytes.array(), 0, n * 4);
                acc.add(vals, 0, n);
                if (norms != null) {
                    for (int i = 0; i < k; i++) {
                        double sq = 0;
                        for (int j = i * c, e = j + c; j < e; j++) {
                            sq += (double) vals[j] * vals[j];
                        }
                        norms[(int) (r + i)] = (float) Math.sqrt(sq);
                    }
                }
                while (nextSample < rowIdx.length && rowIdx[nextSample] < r + k) {
                    int base = (int) (rowIdx[nextSample] - r) * c;
                    int dst = nextSample * colIdx.length;
                    for (int j = 0; j < colIdx.length; j++) {
                        sample[dst + j] = vals[base + colIdx[j]];
                    }
                    nextSample++;
                }
            }
        }
        return new CheckpointSampleTensor(
                t.name(),
                t.address(),
                t.dtype().name(),
                s.dims(),
                HexFormat.of().formatHex(md.digest()),
                acc.finish(),
                rowIdx.length,
                colIdx.length,
                sample,
                norms);
    }

    private static void assertSame(TensorRef t) throws Exception {
        CheckpointSampleTensor now = CheckpointSampler.tensor(t, OPTIONS);
        // The indices are the sampler's own (its sampling is checked elsewhere); the pass is what is compared.
        int[] rowIdx = rowIndices(t);
        int[] colIdx = columnIndices(t);
        CheckpointSampleTensor before = previous(t, rowIdx, colIdx);
        assertThat(now).isEqualTo(before);
        assertThat(now.stats()).isEqualTo(before.stats());
    }

    private static int[] rowIndices(TensorRef t) {
        Shape s = t.shape();
        if (s.elementCount() == 0) {
            return new int[0];
        }
        return s.rank() >= 2
                ? CheckpointSampler.indices(s.rows(), OPTIONS.rowSamples(), OPTIONS.seed())
                : new int[] {0};
    }

    private static int[] columnIndices(TensorRef t) {
        Shape s = t.shape();
        return s.elementCount() == 0
                ? new int[0]
                : CheckpointSampler.indices(s.columns(), OPTIONS.columnSamples(), OPTIONS.seed());
    }

    @Test
    void sampleMomentsAndNormsAreThoseOfThePreviousLoop() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        // An embedding of 3000 tokens × 700: three chunks of whole rows, row norms kept.
        float[] emb = new float[3000 * 700];
        for (int i = 0; i < emb.length; i++) {
            emb[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        emb[5] = Float.NaN;
        emb[1_000_000] = -0f;
        emb[2_000_001] = Float.POSITIVE_INFINITY;
        emb[2_000_002] = Float.MIN_VALUE;
        assertSame(new ArrayTensor(
                "embed",
                Shape.of(3000, 700),
                TensorAddress.of(Component.EMBEDDINGS, null, Role.EMBEDDING, Part.WEIGHT),
                emb));
        // A block matrix (no norms) and a vector, fewer rows and columns than the sample sizes.
        float[] w = new float[40 * 300];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        assertSame(new ArrayTensor(
                "up", Shape.of(40, 300), TensorAddress.of(Component.TEXT_DECODER, 0, Role.MLP_UP, Part.WEIGHT), w));
        assertSame(new ArrayTensor(
                "norm",
                Shape.of(6),
                TensorAddress.of(Component.TEXT_DECODER, 0, Role.ATTN_NORM, Part.WEIGHT),
                new float[] {1, 1, -0f, 1, Float.NaN, 1}));
        assertSame(new ArrayTensor(
                "empty",
                Shape.of(0, 8),
                TensorAddress.of(Component.TEXT_DECODER, 0, Role.MLP_DOWN, Part.WEIGHT),
                new float[0]));
    }
}
