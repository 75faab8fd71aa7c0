package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, names not paths: compare's text, HTML and Markdown reports name the models by display
 * names ({@code --name}/{@code --reference-name}, else the directory name) and never print an
 * absolute path of an input, even when the inputs are given as absolute paths.
 */
class ReportNamesTest {
    @TempDir
    Path dir;

    @Test
    void reportsUseNamesAndNoAbsolutePathOfTheInputs() throws Exception {
        Path s = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toAbsolutePath();
        Path r = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toAbsolutePath();
        Path html = dir.resolve("r.html");
        Path md = dir.resolve("r.md");
        Cli named = Cli.run(
                "compare",
                s.toString(),
                r.toString(),
                "--sample",
                "64",
                "--name",
                "my-int8-encoder",
                "--reference-name",
                "sentence-transformers/all-MiniLM-L6-v2",
                "--html",
                html.toString(),
                "--markdown",
                md.toString());
        assertThat(named.exit()).as(named.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        String h = Files.readString(html);
        String m = Files.readString(md);
        assertThat(h)
                .contains("<title>Pedigree report: my-int8-encoder vs sentence-transformers/all-MiniLM-L6-v2</title>")
                .contains("Yes: my-int8-encoder shares an origin with sentence-transformers/all-MiniLM-L6-v2");
        assertThat(m).startsWith("## Pedigree: my-int8-encoder vs sentence-transformers/all-MiniLM-L6-v2\n");
        assertThat(named.out())
                .startsWith("Suspect:    my-int8-encoder [")
                .contains("Yes: my-int8-encoder shares an origin with sentence-transformers/all-MiniLM-L6-v2");

        Cli plain = Cli.run("compare", s.toString(), r.toString(), "--sample", "64");
        assertThat(plain.out())
                .startsWith("Suspect:    " + s.getFileName() + " [")
                .contains("Reference:  " + r.getFileName() + " [");

        for (String report : new String[] {h, m, named.out(), plain.out()}) {
            for (Path input : new Path[] {s, r}) {
                assertThat(report).doesNotContain(input.toString());
                // Not even the folder the models lie in.
                assertThat(report).doesNotContain(input.getParent().toString());
            }
        }
    }
}
