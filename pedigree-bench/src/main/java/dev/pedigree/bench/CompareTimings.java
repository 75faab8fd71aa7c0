package dev.pedigree.bench;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Wall time of {@link LineageComparator#compare} in one warm JVM, full and sampled (256 rows): on a given pair of
 * models, and on a synthetic Llama-like pair (1024 wide, 8 layers, 5% noise). Every verdict and every test's log10
 * p goes to a text file without the times, so two builds can be diffed for identical results. Run with
 * {@code ./bench main CompareTimings OUT.txt [SUSPECT REFERENCE]}. Numbers are for the record, never asserted.
 */
public final class CompareTimings {
    private CompareTimings() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "compare-timings.txt");
        try (PrintStream ps = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
            if (args.length >= 3) {
                for (Integer sample : new Integer[] {null, 256}) {
                    try (ModelView s = ModelOpener.open(args[1]);
                            ModelView r = ModelOpener.open(args[2])) {
                        run(ps, "given pair sample=" + sample, s, r, sample);
                    }
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
