package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.testkit.RealModels;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's comparisons fit in the heap the launcher gives the JVM. The in-process tests run under
 * Surefire's larger heap, so a change that needs more memory than {@code ./pedigree} allows passed
 * them while {@code ./demo} and the screenshots failed with "out of memory" (an extra start of the
 * held-out residual alignment on all-MiniLM-L6-v2 needed more than the launcher's 512 MB). Here each
 * compare runs in a fresh JVM with the launcher's own heap and collector, read from the launcher.
 */
class LauncherHeapTest {
    @TempDir
    Path dir;

    /** The launcher's {@code -Xmx} for the engine's commands (the {@code vm=(...)} line of {@code ./pedigree}). */
    private static String launcherHeap() throws Exception {
        Path launcher = Path.of("..", "pedigree");
        assertThat(launcher).as("the launcher script next to the modules").exists();
        for (String line : Files.readAllLines(launcher, StandardCharsets.UTF_8)) {
            if (line.startsWith("vm=(")) {
                Matcher m = Pattern.compile("(-Xmx\\S+)").matcher(line);
                assertThat(m.find())
                        .as("a heap limit on the launcher's vm line: " + line)
                        .isTrue();
                return m.group(1);
            }
        }
        throw new AssertionError("no vm=(...) line in " + launcher.toAbsolutePath());
    }

    private int compareInLauncherHeap(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseParallelGC",
                launcherHeap(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "compare"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--quiet", "--json", dir.resolve("result.json").toString()));
        File log = dir.resolve("compare.log").toFile();
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("compare finished").isTrue();
        String out = Files.readString(log.toPath());
        assertThat(out).as(out).doesNotContain("out of memory");
        return p.exitValue();
    }

    @Test
    void theDemoPairsFitTheLaunchersHeap() throws Exception {
        String q = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString();
        String minilm = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString();
        String bge = RealModels.directory(RealModels.BGE_SMALL_EN_V15).toString();
        // The int8 copy, and bge-small against all-MiniLM-L6-v2 compared in full (the demo shows their shared
        // text layers and embeddings, compare-demo-unrelated.json): SHARED_LINEAGE, exit 10, never 3 (out of memory).
        assertThat(compareInLauncherHeap(q, minilm)).isEqualTo(10);
        assertThat(compareInLauncherHeap(minilm, bge)).isEqualTo(10);
    }

    /**
     * A permuted copy (hidden units, heads and residual coordinates, norm gains rescaled) of a 384-wide 9-block
     * decoder: its held-out matching would hold close to {@code HeldOutMatching.MAX_FLOATS} of block weights per
     * model, and before its fits stacked their columns in place and were bounded by the heap it ran out of the
     * launcher's heap (exit 3). Compared under that heap it must read SHARED_LINEAGE, its held-out matching turned
     * away with the stated reason (the estimate is above the launcher's bound), never stopped by an out-of-memory error.
     */
    @Test
    void aWidePermutedPairFitsTheLaunchersHeap() throws Exception {
        Config c = new Config(Component.TEXT_DECODER, 30522, 384, 12, 12, 1536, 9, false, false, false);
        SimModel base = SyntheticTransformer.random("base", c, 31);
        Path b = GoldenOutputsTest.writeHf(base, dir.resolve("base"));
        SimModel copy = DerivationSimulator.permuteResidual(
                DerivationSimulator.permuteHiddenAndHeads(base, 2), Component.TEXT_DECODER, true, 3);
        Path s = GoldenOutputsTest.writeHf(copy, dir.resolve("copy"));
        base = null;
        copy = null;
        assertThat(compareInLauncherHeap(s.toString(), b.toString())).isEqualTo(10);
        String json = Files.readString(dir.resolve("result.json"));
        assertThat(json)
                .contains("held-out matching of text skipped: its fit would hold about")
                .doesNotContain("held-out matching of text stopped");
    }
}
