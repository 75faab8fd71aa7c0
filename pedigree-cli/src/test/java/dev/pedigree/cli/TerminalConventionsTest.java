package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress only on a terminal's standard error and never under --quiet; colour only on a terminal's standard output
 * and never with NO_COLOR; neither changes a result. The terminal is injected ({@link Terminal}).
 */
class TerminalConventionsTest {
    private static final Terminal STDERR_TTY = TunedPair.STDERR_TTY;
    private static final Terminal STDOUT_TTY = new Terminal(true, false, Map.of());

    @TempDir
    static Path dir;

    static String base;
    static String tuned;

    @BeforeAll
    static void models() throws Exception {
        TunedPair pair = TunedPair.write(Config.smallDecoder(), 31, dir.resolve("base"), dir.resolve("tuned"));
        base = pair.base();
        tuned = pair.tuned();
    }

    @Test
    void progressGoesToATerminalsStandardErrorOnly() {
        Cli tty = Cli.on(STDERR_TTY, "compare", tuned, base);
        assertThat(tty.exit()).as(tty.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(tty.err())
                .contains("pedigree compare: opening " + tuned)
                .contains("pedigree compare: comparing, ")
                .containsPattern("\\d+/\\d+ tensors, [0-9.]+ [kMG]B read, \\d+ s")
                .contains("\r\u001b[K")
                .endsWith("\r\u001b[K"); // the line is erased at the end: nothing of it stays
        // Standard output is the same bytes as without a terminal: progress never reaches it.
        Cli pipe = Cli.run("compare", tuned, base);
        assertThat(pipe.err()).isEmpty();
        assertThat(tty.out()).isEqualTo(pipe.out()).doesNotContain("\r").doesNotContain("\u001b");
    }

    @Test
    void progressDoesNotChangeTheResult() {
        Cli tty = Cli.on(STDERR_TTY, "compare", tuned, base, "--json", "-");
        Cli pipe = Cli.run("compare", tuned, base, "--json", "-");
        assertThat(tty.err()).contains("tensors");
        assertThat(tty.out()).isEqualTo(pipe.out());
    }

    @Test
    void quietSilencesProgress() {
        Cli quiet = Cli.on(STDERR_TTY, "compare", tuned, base, "--quiet");
        assertThat(quiet.exit()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(quiet.err()).isEmpty();
        assertThat(Cli.on(STDERR_TTY, "--quiet", "inspect", base).err()).isEmpty();
        // The terminal summary shows no hashes, so a plain inspect only reads; --json hashes every tensor.
        assertThat(Cli.on(STDERR_TTY, "inspect", base).err()).contains("pedigree inspect: reading");
        String json = dir.resolve("inspect.json").toString();
        assertThat(Cli.on(STDERR_TTY, "inspect", base, "--json", json).err())
                .contains("pedigree inspect: hashing every tensor");
    }

    @Test
    void verdictWordsAreColouredOnATerminalUnlessNoColor() {
        Cli colour = Cli.on(STDOUT_TTY, "compare", tuned, base);
        assertThat(colour.out()).contains("Answer: \u001b[1;31mSHARED_LINEAGE\u001b[0m (");
        // Without the escape sequences, the text is exactly what a pipe gets.
        Cli pipe = Cli.run("compare", tuned, base);
        assertThat(colour.out().replaceAll("\u001b\\[[0-9;]*m", "")).isEqualTo(pipe.out());
        assertThat(colour.err()).isEmpty(); // standard error is no terminal here: no progress

        Cli noColor = Cli.on(new Terminal(true, false, Map.of("NO_COLOR", "1")), "compare", tuned, base);
        assertThat(noColor.out()).isEqualTo(pipe.out()).doesNotContain("\u001b");
        Cli dumb = Cli.on(new Terminal(true, false, Map.of("TERM", "dumb")), "compare", tuned, base);
        assertThat(dumb.out()).doesNotContain("\u001b");
        // no-color.org: an empty NO_COLOR does not count.
        Cli empty = Cli.on(new Terminal(true, false, Map.of("NO_COLOR", "")), "compare", tuned, base);
        assertThat(empty.out()).contains("\u001b[1;31mSHARED_LINEAGE");
    }

    @Test
    void terminalRulesInIsolation() {
        assertThat(new Terminal(true, true, Map.of()).colour()).isTrue();
        assertThat(new Terminal(false, true, Map.of()).colour()).isFalse();
        assertThat(new Terminal(true, true, Map.of("NO_COLOR", "yes")).colour()).isFalse();
        assertThat(new Terminal(true, true, Map.of("NO_COLOR", "yes")).progress())
                .isTrue();
        assertThat(new Terminal(true, false, Map.of()).progress()).isFalse();
        assertThat(Terminal.NONE.progress()).isFalse();
    }
}
