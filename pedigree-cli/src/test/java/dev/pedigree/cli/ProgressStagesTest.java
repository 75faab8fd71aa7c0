package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: long work beyond compare shows its stages on a terminal's standard error (identify's fingerprinting,
 * candidates and per-candidate comparisons; registry add, seed, export and import; attest record and verify;
 * calibrate), never on a pipe and never under --quiet, and the outcome on standard output is the same either way.
 */
class ProgressStagesTest {
    private static final Terminal STDERR_TTY = TunedPair.STDERR_TTY;

    @TempDir
    static Path dir;

    static String base;
    static String tuned;

    @BeforeAll
    static void models() throws Exception {
        TunedPair pair = TunedPair.write(Config.tinyDecoder(), 41, dir.resolve("models/base"), dir.resolve("tuned"));
        base = pair.base();
        tuned = pair.tuned();
    }

    /** The same command on a terminal and on a pipe: the terminal's standard error shows the stages, a pipe's nothing. */
    private static Cli onTerminal(String... args) {
        Cli tty = Cli.on(STDERR_TTY, args);
        Cli pipe = Cli.run(args);
        assertThat(tty.exit()).as(tty.err()).isEqualTo(pipe.exit());
        assertThat(pipe.err()).as("piped standard error").isEmpty();
        assertThat(tty.err()).endsWith("\r\u001b[K"); // erased at the end
        String[] quiet = new String[args.length + 1];
        quiet[0] = "--quiet";
        System.arraycopy(args, 0, quiet, 1, args.length);
        assertThat(Cli.on(STDERR_TTY, quiet).err()).as("--quiet").isEmpty();
        return tty;
    }

    @Test
    void registryAndIdentifyShowTheirStages() {
        String db = dir.resolve("reg.db").toString();
        Cli add = Cli.on(
                STDERR_TTY,
                "registry",
                "add",
                base,
                "--name",
                "base",
                "--registry",
                dir.resolve("a.db").toString());
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(Cli.run(
                                "registry",
                                "add",
                                base,
                                "--name",
                                "base",
                                "--registry",
                                dir.resolve("b.db").toString())
                        .err())
                .isEmpty();
        assertThat(add.err())
                .contains("pedigree registry add: opening " + base)
                .contains("pedigree registry add: fingerprinting base")
                .containsPattern("\\d+/\\d+ tensors, [0-9.]+ [kMG]B read, \\d+ s");
        assertThat(add.out()).startsWith("added base (").doesNotContain("\r");

        Cli seed = Cli.on(STDERR_TTY, "registry", "seed", dir.resolve("models").toString(), "--registry", db);
        assertThat(seed.exit()).as(seed.err()).isZero();
        assertThat(seed.err()).contains("pedigree registry seed: fingerprinting base (model 1 of 1)");
        assertThat(seed.out()).contains("1 added of 1 found").doesNotContain("\u001b");

        Cli id = onTerminal("identify", tuned, "--registry", db);
        assertThat(id.err())
                .contains("pedigree identify: fingerprinting the suspect")
                .contains("pedigree identify: finding candidates among 1 registry model")
                .contains("pedigree identify: comparing with base (candidate 1 of 1)");
        assertThat(id.out())
                .isEqualTo(Cli.run("identify", tuned, "--registry", db).out());

        String pack = dir.resolve("pack.zip").toString();
        Cli export = Cli.on(STDERR_TTY, "registry", "export", pack, "--registry", db);
        assertThat(export.err()).contains("pedigree registry export: writing 1 fingerprints to pack.zip");
        Cli imp = Cli.on(
                STDERR_TTY,
                "registry",
                "import",
                pack,
                "--registry",
                dir.resolve("imp.db").toString());
        assertThat(imp.exit()).as(imp.err()).isZero();
        assertThat(imp.err()).contains("pedigree registry import: importing pack.zip");
        assertThat(imp.out()).isEqualTo("imported 1 model, 0 already present" + System.lineSeparator());
    }

    @Test
    void attestShowsEachCheckpointAndCheck() {
        String ledger = dir.resolve("run.ledger").toString();
        Cli record = Cli.on(STDERR_TTY, "attest", "record", "--ledger", ledger, "--step", "0", "--seed", "3", base);
        assertThat(record.exit()).as(record.err()).isZero();
        assertThat(record.err())
                .contains("pedigree attest record: hashing and fingerprinting base (checkpoint 1 of 1)")
                .endsWith("\r\u001b[K");
        assertThat(record.out()).startsWith("recorded entry 0 step 0").doesNotContain("\r");

        Cli verify = onTerminal("attest", "verify", ledger);
        assertThat(verify.err())
                .contains("pedigree attest verify: checking ledger entry 1 of 1")
                .contains("pedigree attest verify: checking the step-0 initialisation");
    }

    @Test
    void calibrateShowsEachPair() {
        Cli c = onTerminal(
                "calibrate",
                "--pairs",
                "2",
                "--trained-pairs",
                "0",
                "--larger-trained-pairs",
                "0",
                "--largest-trained-pairs",
                "0",
                "--replicates",
                "1");
        assertThat(c.err())
                .contains("pedigree calibrate: null pairs, random-init: pair 2 of 2")
                .contains("pedigree calibrate: detection, ");
        assertThat(c.out()).startsWith("Pedigree calibration").doesNotContain("\r");
    }
}
