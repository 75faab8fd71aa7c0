package dev.pedigree.forensics.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationReportTest {
    @Test
    void quickRunHasNoFalsePositivesAndDetectsMildDerivations() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CalibrationReport.Result r = CalibrationReport.run(
                CalibrationReport.Config.quick(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(r.nullPairs()).isEqualTo(70);
        assertThat(r.falsePositives()).isZero();
        assertThat(r.detection())
                .filteredOn(d ->
                        d.transformation().startsWith("noise") && d.strength().equals("σ×1"))
                .allMatch(d -> d.rate() == 1.0);
        assertThat(r.detection())
                .filteredOn(d -> d.transformation().startsWith("int8"))
                .allMatch(d -> d.rate() == 1.0);
        assertThat(table).contains("Detection", "false SHARED_LINEAGE 0");
    }

    @Test
    void ksDistanceOfUniformGridIsSmall() {
        List<Double> l = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            l.add(Math.log10(i / 100.0));
        }
        CalibrationReport.PDistribution d = CalibrationReport.distribution("grid", l);
        assertThat(d.ks()).isLessThanOrEqualTo(0.011);
        assertThat(d.below05()).isBetween(0.04, 0.05); // 0.05 itself may round either way
    }
}
