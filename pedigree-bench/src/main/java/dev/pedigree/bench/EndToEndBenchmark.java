package dev.pedigree.bench;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end cost of {@code pedigree compare} on Llama-shaped BF16 models of about 1B parameters each, two pairs: a base
 * and a noisy derivative (same seed, relative noise 0.1) and the base and an independent model (same shapes, another
 * seed). Against two floors: (a) reading both files once from the page
 * cache ({@code cat} and a Java mmap sum, each run twice, the second taken) and (b) a straightforward NumPy
 * implementation of the same grouped aligned-correlation test on every weight matrix
 * ({@code src/main/python/aligned_correlation.py}; (b') the same script's cheaper per-tensor Pearson). Then (c) runs
 * {@code ./pedigree compare A B} (the launcher, with its JVM options) in full and with {@code --sample 64} under
 * {@code /usr/bin/time -v} for wall time and peak RSS, and prints the ratios. Numbers are recorded, never asserted.
 *
 * <p>Usage: {@code EndToEndBenchmark [workdir] [layers] [--keep] [--repeat N]}. The models are written to
 * {@code workdir} (default {@code ./target/e2e}) unless already there with the right size, and deleted at the end
 * unless {@code --keep}. With {@code --repeat N} (default 3) the NumPy grouped test and the full compare run N times on
 * each pair, alternately (derived NumPy, derived compare, independent NumPy, independent compare, so all see the same
 * machine load), and the ratios are taken between medians: compare ÷ NumPy per pair, independent ÷ derived, compare ÷
 * reading both files, peak RSS, and the read accounting of each compare's JSON; every run is listed.
 */
public final class EndToEndBenchmark {
    private EndToEndBenchmark() {}

    private record Run(String label, double wallSeconds, long maxRssKb, int exitCode, String lastLine) {}

    public static void main(String[] args) throws Exception {
        List<String> pos = new ArrayList<>();
        boolean keep = false;
        int repeat = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--keep")) {
                keep = true;
            } else if (args[i].equals("--repeat") && i + 1 < args.length) {
                repeat = Math.max(1, Integer.parseInt(args[++i]));
            } else {
                pos.add(args[i]);
            }
        }
        long start = System.nanoTime();
        Path dir = Path.of(pos.size() > 0 ? pos.get(0) : "target/e2e").toAbsolutePath();
        int layers = pos.size() > 1 ? Integer.parseInt(pos.get(1)) : 18;
        Files.createDirectories(dir);
        LargeSafetensors.Spec spec = new LargeSafetensors.Spec(2048, 5632, layers, 32000);
        Path a = dir.resolve("base.safetensors");
        Path b = dir.resolve("derived.safetensors");
        Path c = dir.resolve("independent.safetensors");
        ensure(a, spec, 1, 0.0);
        ensure(b, spec, 1, 0.1);
        ensure(c, spec, 2, 0.0);
        long bytes = Files.size(a) + Files.size(b);
        System.out.printf(
                Locale.ROOT,
                "models: %,d parameters each, %.2f GB per pair (base + derived: same seed, relative noise 0.1;"
                        + " base + independent: another seed)%n",
                spec.parameters(),
                bytes / 1e9);
        System.out.println("load: " + uptime());

        List<Run> runs = new ArrayList<>();
        Run cat1 = time(
                "cat A B > /dev/null (cold-ish)", List.of("sh", "-c", "cat '" + a + "' '" + b + "' > /dev/null"), null);
        Run cat2 = time(
                "(a) cat A B > /dev/null (warm)", List.of("sh", "-c", "cat '" + a + "' '" + b + "' > /dev/null"), null);
        runs.add(cat1);
        runs.add(cat2);
        mmapSum(a, b);
        double mmap = mmapSum(a, b);
        runs.add(new Run("(a) Java mmap sum of both (warm)", mmap, 0, 0, ""));

        // The compare runs as users run it: through the launcher (its JVM options included). A first call
        // makes sure it is built, so that no build is timed.
        String launcher = Path.of("pedigree").toAbsolutePath().toString();
        time("./pedigree --version (builds if needed; not part of the numbers)", List.of(launcher, "--version"), null);
        List<Run> numpyDerived = new ArrayList<>();
        List<Run> fullDerived = new ArrayList<>();
        List<Run> numpyIndependent = new ArrayList<>();
        List<Run> fullIndependent = new ArrayList<>();
        // Both pairs, NumPy and the compare alternated, so that all four see the same machine load.
        for (int i = 1; i <= repeat; i++) {
            String of = repeat > 1 ? " [run " + i + " of " + repeat + "]" : "";
            numpyDerived.add(time("(b) NumPy grouped correlation, derived pair" + of, numpy(b, a, false), null));
            fullDerived.add(time(
                    "(c) pedigree compare derived base (full)" + of,
                    compare(launcher, b, a, dir.resolve("compare-derived.json"), null),
                    null));
            numpyIndependent.add(
                    time("(b) NumPy grouped correlation, independent pair" + of, numpy(c, a, false), null));
            fullIndependent.add(time(
                    "(c) pedigree compare independent base (full)" + of,
                    compare(launcher, c, a, dir.resolve("compare-independent.json"), null),
                    null));
        }
        for (int i = 0; i < repeat; i++) {
            runs.add(numpyDerived.get(i));
            runs.add(fullDerived.get(i));
            runs.add(numpyIndependent.get(i));
            runs.add(fullIndependent.get(i));
        }
        Run numpyPearson =
                time("(b') NumPy per-tensor Pearson, derived pair (a cheaper statistic)", numpy(b, a, true), null);
        runs.add(numpyPearson);
        runs.add(time(
                "(c) pedigree compare derived base --sample 64",
                compare(launcher, b, a, dir.resolve("compare-sample.json"), "64"),
                null));

        System.out.println();
        System.out.println("| step | wall s | GB/s of both files | peak RSS MB | exit |");
        System.out.println("|---|---|---|---|---|");
        for (Run r : runs) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f | %.2f | %s | %d |%n",
                    r.label(),
                    r.wallSeconds(),
                    bytes / 1e9 / r.wallSeconds(),
                    r.maxRssKb() > 0 ? String.valueOf(r.maxRssKb() / 1024) : "-",
                    r.exitCode());
        }
        double floor = Math.min(cat2.wallSeconds(), mmap);
        double d = median(fullDerived).wallSeconds();
        double ind = median(fullIndependent).wallSeconds();
        double nd = median(numpyDerived).wallSeconds();
        double ni = median(numpyIndependent).wallSeconds();
        System.out.println();
        System.out.printf(Locale.ROOT, "medians of %d alternated runs (load after the runs: %s)%n", repeat, uptime());
        System.out.println(
                "| pair | compare s | NumPy s | compare / NumPy (target <= 0.33) | compare / read both files (target <= 2) | peak RSS MB (<= 1024) | verdict (exit) |");
        System.out.println("|---|---|---|---|---|---|---|");
        row("derived (B = A + 10% noise)", fullDerived, d, nd, floor);
        row("independent (another seed)", fullIndependent, ind, ni, floor);
        System.out.printf(
                Locale.ROOT,
                "independent / derived compare = %.2fx (target <= 1.2x); read-both-files floor %.2f s (min of cat %.2f s and mmap sum %.2f s)%n",
                ind / d,
                floor,
                cat2.wallSeconds(),
                mmap);
        System.out.printf(
                Locale.ROOT,
                "ranges: compare derived %.2f-%.2f s, independent %.2f-%.2f s; NumPy derived %.2f-%.2f s, independent %.2f-%.2f s; NumPy per-tensor Pearson %.2f s%n",
                min(fullDerived),
                max(fullDerived),
                min(fullIndependent),
                max(fullIndependent),
                min(numpyDerived),
                max(numpyDerived),
                min(numpyIndependent),
                max(numpyIndependent),
                numpyPearson.wallSeconds());
        for (String pair : List.of("derived", "independent")) {
            System.out.println(pair + " read accounting: " + readAccounting(dir.resolve("compare-" + pair + ".json")));
        }
        System.out.println("numpy: " + median(numpyDerived).lastLine());
        if (!keep) {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
            Files.deleteIfExists(c);
            System.out.println("deleted the models (pass --keep to keep them)");
        }
        System.out.printf(Locale.ROOT, "benchmark run time %.0f s%n", (System.nanoTime() - start) / 1e9);
    }

    private static void row(String pair, List<Run> fulls, double compare, double numpy, double floor) {
        long rss = fulls.stream().mapToLong(Run::maxRssKb).max().orElse(0) / 1024;
        Run m = median(fulls);
        System.out.printf(
                Locale.ROOT,
                "| %s | %.2f | %.2f | %.2f | %.1fx | %d | %s (%d) |%n",
                pair,
                compare,
                numpy,
                compare / numpy,
                compare / floor,
                rss,
                m.exitCode() == 10 ? "SHARED_LINEAGE" : m.exitCode() == 11 ? "INDEPENDENT" : "other",
                m.exitCode());
    }

    private static List<String> numpy(Path suspect, Path reference, boolean pearson) {
        Path py =
                Path.of("pedigree-bench/src/main/python/aligned_correlation.py").toAbsolutePath();
        List<String> cmd = new ArrayList<>(
                List.of("env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", "python3", py.toString()));
        if (pearson) {
            cmd.add("--pearson");
        }
        cmd.add(suspect.toString());
        cmd.add(reference.toString());
        return cmd;
    }

    private static List<String> compare(String launcher, Path suspect, Path reference, Path json, String sample) {
        List<String> cmd = new ArrayList<>(List.of(launcher, "compare", suspect.toString(), reference.toString()));
        if (sample != null) {
            cmd.addAll(List.of("--sample", sample));
        }
        cmd.addAll(List.of("--json", json.toString()));
        return cmd;
    }

    /** The read accounting and early-stopping lines of a compare JSON (plain text search; no JSON library here). */
    private static String readAccounting(Path json) throws IOException {
        if (!Files.exists(json)) {
            return "(no JSON)";
        }
        String s = Files.readString(json, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String key :
                List.of("bytes_read", "weight_bytes", "decoded_per_weight_byte", "stopped", "escalated", "power")) {
            Matcher m =
                    Pattern.compile("\"" + key + "\"\\s*:\\s*([-0-9.eE]+|null)").matcher(s);
            if (m.find()) {
                out.append(key).append(' ').append(m.group(1)).append("; ");
            }
        }
        return out.toString();
    }

    private static String uptime() {
        try {
            String l = Files.readString(Path.of("/proc/loadavg")).strip();
            String[] f = l.split(" ");
            return "load average " + f[0] + ", " + f[1] + ", " + f[2];
        } catch (IOException e) {
            return "load unknown";
        }
    }

    /** The run with the median wall time (the upper of the two middle ones for an even count). */
    private static Run median(List<Run> rs) {
        List<Run> sorted = new ArrayList<>(rs);
        sorted.sort(java.util.Comparator.comparingDouble(Run::wallSeconds));
        return sorted.get(sorted.size() / 2);
    }

    private static double min(List<Run> rs) {
        return rs.stream().mapToDouble(Run::wallSeconds).min().orElse(Double.NaN);
    }

    private static double max(List<Run> rs) {
        return rs.stream().mapToDouble(Run::wallSeconds).max().orElse(Double.NaN);
    }

    private static void ensure(Path file, LargeSafetensors.Spec spec, long seed, double noise) throws IOException {
        long expect = 2 * spec.parameters();
        if (Files.exists(file) && Files.size(file) > expect && Files.size(file) < expect + (1 << 20)) {
            System.out.println("reusing " + file);
            return;
        }
        long t0 = System.nanoTime();
        LargeSafetensors.write(file, spec, seed, noise, 2);
        System.out.printf(
                Locale.ROOT,
                "wrote %s (%.2f GB) in %.1f s%n",
                file,
                Files.size(file) / 1e9,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Maps both files and sums them as longs; returns seconds. */
    private static double mmapSum(Path a, Path b) throws IOException {
        long t0 = System.nanoTime();
        long sum = 0;
        for (Path p : List.of(a, b)) {
            try (Arena arena = Arena.ofConfined();
                    FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                long n = seg.byteSize() / 8;
                long s0 = 0;
                long s1 = 0;
                long i = 0;
                for (; i + 1 < n; i += 2) {
                    s0 += seg.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
                    s1 += seg.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i + 1);
                }
                sum += s0 + s1;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "mmap sum %x in %.2f s%n", sum, s);
        return s;
    }

    private static final Pattern RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

    /** Runs {@code cmd} under {@code /usr/bin/time -v}; prints its output and returns wall time and peak RSS. */
    private static Run time(String label, List<String> cmd, File cwd) throws IOException, InterruptedException {
        Path log = Files.createTempFile("pedigree-e2e", ".log");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-v"));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile());
        if (cwd != null) {
            pb.directory(cwd);
        }
        System.out.println("running: " + label);
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double secs = (System.nanoTime() - t0) / 1e9;
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        Matcher m = RSS.matcher(out);
        long rss = m.find() ? Long.parseLong(m.group(1)) : 0;
        String last = "";
        for (String line : out.split("\n")) {
            if (line.startsWith("\tCommand being timed")) {
                break;
            }
            if (!line.isBlank() && !line.startsWith("WARNING")) {
                last = line.strip();
                System.out.println("  " + line);
            }
        }
        System.out.printf(Locale.ROOT, "  -> %.2f s, peak RSS %d MB, exit %d%n", secs, rss / 1024, rc);
        return new Run(label, secs, rss, rc, last);
    }
}
