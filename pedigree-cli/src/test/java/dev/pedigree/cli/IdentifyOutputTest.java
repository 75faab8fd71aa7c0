package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.RealModels;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * identify's terminal output: exact reuse grouped by component by default, per-tensor lines behind --tensors,
 * timings behind --timing, and the candidates' columns named for what they hold.
 */
class IdentifyOutputTest {
    @TempDir
    static Path dir;

    static String db;
    static String q;

    @BeforeAll
    static void registry() {
        db = dir.resolve("reg.db").toString();
        q = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString();
        String minilm = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString();
        Cli add = Cli.run("registry", "add", minilm, "--name", "all-minilm-l6-v2", "--registry", db);
        assertThat(add.exit()).as(add.err()).isZero();
    }

    @Test
    void exactReuseIsOneLinePerComponentByDefault() {
        Cli r = Cli.run("identify", q, "--registry", db);
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        // The int8 demo: 62 of the 100 text-encoder tensors (its norms and biases) are bit-identical.
        assertThat(r.out())
                .contains("\n  text encoder: 62 of 100 tensors identical to all-minilm-l6-v2 (")
                .contains("--tensors")
                .doesNotContain(" ms")
                .doesNotContain("timing:");
        assertThat(r.out().lines().filter(l -> l.contains(" = ")).count()).isZero();
        // The candidates' columns: the share of parameters in related components is not the tokenizer column.
        assertThat(r.out()).contains("params related  tokenizer").contains("IDENTICAL");
        assertThat(r.out()).contains("SHARED_LINEAGE").doesNotContain("=shared");
    }

    @Test
    void tensorsAndTimingAreOnRequest() {
        Cli r = Cli.run("identify", q, "--registry", db, "--tensors", "--timing");
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(r.out().lines().filter(l -> l.startsWith("      ") && l.contains(" = ")))
                .hasSize(62);
        assertThat(r.out()).containsPattern("timing: probe \\d+ ms, pre-filter \\d+ ms, tests \\d+ ms");
    }
}
