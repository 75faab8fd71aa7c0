package dev.pedigree.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Role;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Row norms in the fingerprint file (format 2, format 1 unchanged) and the {@link UnitNormTest} on
 * fingerprints whose norms are known: equal norms are detected, unrelated ones are not, and only
 * hidden-unit rows of equal shapes enter.
 */
class UnitNormTestTest {
    static final SimModel MODEL =
            SyntheticTransformer.random("norms", Config.smallDecoder().withLayers(3), 5);

    static Fingerprint plain() throws Exception {
        return Fingerprint.of(MODEL.toView(), FingerprintOptions.DEFAULT.withUnits(32));
    }

    /** {@code f} with row norms on every MLP gate/up sample, drawn by {@code norms}. */
    static Fingerprint withNorms(Fingerprint f, NormSource norms) {
        List<FingerprintTensor> out = new ArrayList<>();
        for (FingerprintTensor t : f.tensors()) {
            Sample s = t.sample();
            Role r = t.address().role();
            if (s != null && t.address().layer() != null && (r == Role.MLP_GATE || r == Role.MLP_UP)) {
                float[] n = new float[s.rows().length];
                for (int i = 0; i < n.length; i++) {
                    n[i] = norms.norm(t.address().layer(), r, s.rows()[i]);
                }
                s = new Sample(s.rowSource(), s.rows(), s.cols(), s.values(), n);
            }
            out.add(new FingerprintTensor(
                    t.name(), t.address(), t.dtype(), t.shape(), t.rawSha256(), t.canonicalSha256(), t.stats(), s));
        }
        return f.withTensors(out);
    }

    interface NormSource {
        float norm(int layer, Role role, int unit);
    }

    static NormSource random(long seed) {
        return (layer, role, unit) -> (float) (1
                + 0.1
                        * new SplittableRandom(seed * 1_000_003L + layer * 7919L + role.ordinal() * 31L + unit)
                                .nextGaussian());
    }

    static int version(byte[] file) {
        return ByteBuffer.wrap(file, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void fingerprintsWithoutNormsStayFormatOneAndNormsRoundTripInFormatTwo() throws Exception {
        Fingerprint f = plain();
        assertThat(version(f.toBytes())).isEqualTo(Fingerprint.FORMAT_VERSION);
        Fingerprint n = withNorms(f, random(1));
        byte[] b = n.toBytes();
        assertThat(version(b)).isEqualTo(Fingerprint.FORMAT_VERSION_ROW_NORMS);
        Fingerprint back = FingerprintCodec.decode(b, "mem");
        assertThat(back.toBytes()).isEqualTo(b);
        int withNorms = 0;
        for (int i = 0; i < n.tensors().size(); i++) {
            Sample s = n.tensors().get(i).sample();
            Sample t = back.tensors().get(i).sample();
            if (s != null && s.rowNorms() != null) {
                assertThat(t.rowNorms()).isEqualTo(s.rowNorms());
                withNorms++;
            } else if (t != null) {
                assertThat(t.rowNorms()).isNull();
            }
        }
        assertThat(withNorms).isEqualTo(6); // gate and up of 3 layers
        // A version-1 file still reads (and is written back identically).
        assertThat(FingerprintCodec.decode(f.toBytes(), "v1").toBytes()).isEqualTo(f.toBytes());
    }

    @Test
    void equalUnitNormsAreSharedLineageUnrelatedOnesAreNot() throws Exception {
        Fingerprint f = plain();
        Map<String, UnitNormTest.Result> same = UnitNormTest.compare(withNorms(f, random(1)), withNorms(f, random(1)));
        assertThat(same).containsOnlyKeys("text");
        UnitNormTest.Result s = same.get("text");
        assertThat(s.groups()).isEqualTo(3);
        assertThat(s.medianR()).isEqualTo(1.0);
        assertThat(s.log10p()).isLessThan(-60);

        int below = 0;
        for (long k = 2; k < 202; k++) {
            UnitNormTest.Result r = UnitNormTest.compare(withNorms(f, random(1)), withNorms(f, random(k)))
                    .get("text");
            assertThat(r.log10p()).isGreaterThan(-4.5);
            below += r.log10p() < Math.log10(0.05) ? 1 : 0;
        }
        // Under H0 about 5% of 200 (binomial: 2–20 with probability > 0.999).
        assertThat(below).isBetween(2, 20);
    }

    @Test
    void withoutNormsOnBothSidesThereIsNoTest() throws Exception {
        Fingerprint f = plain();
        assertThat(UnitNormTest.compare(f, withNorms(f, random(1)))).isEmpty();
        assertThat(UnitNormTest.compare(f, f)).isEmpty();
    }
}
