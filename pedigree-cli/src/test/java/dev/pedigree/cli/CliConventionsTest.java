package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.RealModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command-line conventions every command follows: help with examples, suggestions for typos, exit codes. */
class CliConventionsTest {

    /** Every command and subcommand, as the words that name it ("registry add"); "" is pedigree itself. */
    static List<String> commandPaths() {
        CommandLine root = new CommandLine(new Main());
        for (Class<?> c : Main.SUBCOMMANDS) {
            root.addSubcommand(new CommandLine(c));
        }
        List<String> out = new ArrayList<>();
        collect(root, "", out);
        return out;
    }

    private static void collect(CommandLine cl, String path, List<String> out) {
        out.add(path);
        cl.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) { // aliases name the same command again
                collect(sub, (path + " " + name).strip(), out);
            }
        });
    }

    @Test
    void everyCommandsHelpHasExamplesAndNoPicocliWarning() {
        List<String> paths = commandPaths();
        assertThat(paths).contains("", "compare", "identify", "registry add", "attest verify", "help");
        // Each example fits the help's 80 columns (picocli would wrap it), and no stale entries: every example set
        // belongs to a command that exists.
        Examples.BY_COMMAND
                .values()
                .forEach(
                        l -> l.forEach(e -> assertThat(e.length() + 2).as(e).isLessThanOrEqualTo(ExitCode.HELP_WIDTH)));
        assertThat(Examples.BY_COMMAND.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        paths.stream().map(p -> ("pedigree " + p).strip()).toList());
        PrintStream systemErr = System.err;
        ByteArrayOutputStream picocliWarnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(picocliWarnings, true, StandardCharsets.UTF_8));
        try {
            for (String p : paths) {
                List<String> args = new ArrayList<>(p.isEmpty() ? List.of() : List.of(p.split(" ")));
                args.add("--help");
                if (p.equals("help")) {
                    args = List.of("help", "--help");
                }
                Cli r = Cli.run(args.toArray(String[]::new));
                assertThat(r.exit()).as(p + ": " + r.err()).isZero();
                String first =
                        Examples.BY_COMMAND.get(("pedigree " + p).strip()).get(0);
                assertThat(r.out()).as(p).contains("\nExamples:\n  " + first + "\n");
            }
        } finally {
            System.setErr(systemErr);
        }
        // picocli prints "[picocli WARN] ..." to System.err for a help text it cannot format (a bare '%').
        assertThat(picocliWarnings.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
    }

    @Test
    void fingerprintHelpShowsItsPercentSign() {
        assertThat(Cli.run("fingerprint", "--help").out()).contains("under 2% of the model");
    }

    @Test
    void topLevelHelpListsExamplesThenExitCodes() {
        String out = Cli.run("--help").out();
        assertThat(out.indexOf("Examples:")).isPositive().isLessThan(out.indexOf("Exit codes:"));
        assertThat(out).contains("  20  VERIFICATION_FAILED");
    }

    @Test
    void typosOfCommandsAndOptionsGetASuggestion() {
        Cli cmd = Cli.run("compar", "a", "b");
        assertThat(cmd.exit()).isEqualTo(ExitCode.USAGE.code());
        assertThat(cmd.err()).contains("did you mean compare?");
        Cli opt = Cli.run("compare", "--jsn", "x.json", "a", "b");
        assertThat(opt.exit()).isEqualTo(ExitCode.USAGE.code());
        assertThat(opt.err()).contains("did you mean --json?");
        Cli sub = Cli.run("registry", "ad", "x");
        assertThat(sub.exit()).isEqualTo(ExitCode.USAGE.code());
        assertThat(sub.err()).contains("did you mean add?");
        // Nothing close: no suggestion.
        assertThat(Cli.run("zzzzzzzz").err()).doesNotContain("did you mean");
    }

    @Test
    void tokenizerOnlyComparisonsExitWithTheTokenizerRelation() {
        // bge-small-en-v1.5 and all-MiniLM-L6-v2 both ship the bert-base-uncased vocabulary; bge-small-zh another.
        String en = RealModels.tokenizer(RealModels.BGE_SMALL_EN_V15).toString();
        String minilm = RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2).toString();
        String zh = RealModels.tokenizer(RealModels.BGE_SMALL_ZH_V15).toString();
        Cli same = Cli.run("compare", en, minilm);
        assertThat(same.exit()).as(same.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(same.out())
                .contains("Answer: TOKENIZER IDENTICAL (no weights given)")
                .contains("No weights were given; the answer comes from the tokenizers alone.")
                .doesNotContain("of the suspect's parameters");
        Cli other = Cli.run("compare", zh, minilm);
        assertThat(other.exit()).as(other.err()).isEqualTo(ExitCode.INDEPENDENT.code());
        assertThat(other.out()).contains("Answer: TOKENIZER INDEPENDENT (");
    }
}
