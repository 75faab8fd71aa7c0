package dev.pedigree.forensics;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.format.onnx.OnnxReader;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.testkit.RealModels;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Wall-time benchmark of {@link LineageComparator#compare} on real ONNX models and a synthetic
 * Llama-like pair; dumps verdicts and every test's log10 p to {@code pedigree.perf.out} for
 * diffing. Runs only with {@code -Dpedigree.perf=true}.
 */
@EnabledIfSystemProperty(named = "pedigree.perf", matches = "true")
class PerfBenchTest {
    @Test
    void bench() throws Exception {
        Path out = Path.of(System.getProperty("pedigree.perf.out", "target/perf.txt"));
        try (PrintStream ps = new PrintStream(Files.newOutputStream(out), true, "UTF-8")) {
            for (Integer sample : new Integer[] {null, 256}) {
                try (ModelView s = new OnnxReader().open(RealModels.onnx(RealModels.BGE_SMALL_EN_V15));
                        ModelView r = new OnnxReader().open(RealModels.onnx(RealModels.E5_SMALL_V2))) {
                    run(ps, "bge~e5 sample=" + sample, s, r, sample);
                }
            }
            SyntheticTransformer.Config c = new SyntheticTransformer.Config(
                    Component.TEXT_DECODER, 2048, 1024, 16, 8, 4096, 8, true, false, false);
            SimModel base = SyntheticTransformer.random("base", c, 7);
            SimModel noisy = DerivationSimulator.noise(base, 0.05, 11).named("noisy");
            for (Integer sample : new Integer[] {null, 256}) {
                run(ps, "synth1024 sample=" + sample, noisy.toView(), base.toView(), sample);
            }
        }
    }

    private static void run(PrintStream ps, String label, ModelView s, ModelView r, Integer sample) throws Exception {
        CompareOptions o = sample == null ? CompareOptions.DEFAULT : CompareOptions.DEFAULT.withSampleRows(sample);
        long t0 = System.nanoTime();
        ComparisonResult res = LineageComparator.compare(s, r, o);
        double sec = (System.nanoTime() - t0) / 1e9;
        String line = String.format(
                Locale.ROOT, "TIME %s: %.2f s verdict=%s log10p=%s", label, sec, res.verdict(), res.log10p());
        System.out.println(line);
        ps.println(line.replaceFirst(": [0-9.]+ s", ""));
        for (ComponentResult cr : res.components()) {
            ps.printf(Locale.ROOT, "  %s %s %s%n", cr.name(), cr.verdict(), cr.log10p());
            for (Evidence e : cr.evidence()) {
                ps.printf(Locale.ROOT, "    %s stat=%s p=%s%n", e.test(), e.statistic(), e.log10p());
            }
        }
        if (res.customisation() != null) {
            for (var ch : res.customisation().layers()) {
                ps.println("  cust " + ch);
            }
        }
    }
}
