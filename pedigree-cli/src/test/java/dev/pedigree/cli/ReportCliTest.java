package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare's report outputs, the dossier, and {@code pedigree report}. */
class ReportCliTest {
    @TempDir
    Path dir;

    @Test
    void compareWritesReportsAndAReproducibleDossier() throws Exception {
        String s = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString();
        String r = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString();
        Path d1 = dir.resolve("dossier1");
        Path d2 = dir.resolve("dossier2");
        Cli a = Cli.run(
                "compare",
                s,
                r,
                "--sample",
                "64",
                "--dossier",
                d1.toString(),
                "--html",
                dir.resolve("r.html").toString(),
                "--markdown",
                dir.resolve("r.md").toString(),
                "--cyclonedx",
                dir.resolve("bom.json").toString());
        assertThat(a.exit()).as(a.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        Cli b = Cli.run("compare", s, r, "--sample", "64", "--dossier", d2.toString());
        assertThat(b.exit()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        for (String f : new String[] {
            "result.json",
            "report.html",
            "report.md",
            "bom.cdx.json",
            "SHA256SUMS",
            "command.txt",
            "VERSION",
            "inputs.sha256",
            "rerun.sh"
        }) {
            assertThat(d1.resolve(f)).as(f).exists();
        }
        // Reruns give byte-identical JSON, reports and BOM (no timestamps in hashed content).
        assertThat(Files.readString(d2.resolve("result.json"))).isEqualTo(Files.readString(d1.resolve("result.json")));
        assertThat(Files.readString(d2.resolve("SHA256SUMS"))).isEqualTo(Files.readString(d1.resolve("SHA256SUMS")));
        assertThat(Files.readString(d1.resolve("command.txt")))
                .contains("'compare'")
                .contains("'--sample' '64'");
        assertThat(Files.readString(d1.resolve("rerun.sh"))).contains("cmp -s").doesNotContain("--dossier");
        assertThat(Files.readString(dir.resolve("r.html")))
                .contains("SHARED_LINEAGE")
                .doesNotContain("<script");
        assertThat(Files.readString(dir.resolve("r.md"))).contains("SHARED");
        assertThat(Files.readString(dir.resolve("bom.json")))
                .contains("\"specVersion\" : \"1.6\"")
                .contains("machine-learning-model");

        // pedigree report renders the saved result again.
        Path html2 = dir.resolve("again.html");
        Cli rep = Cli.run(
                "report",
                d1.resolve("result.json").toString(),
                "--html",
                html2.toString(),
                "--markdown",
                dir.resolve("again.md").toString());
        assertThat(rep.exit()).as(rep.err()).isEqualTo(0);
        assertThat(Files.readString(html2)).contains("SHARED_LINEAGE");
    }

    /**
     * Every report format that compare writes on request is the dossier's file byte for byte (the
     * same renderer and contexts), --corpus reaches the reports, and '-' sends a format to standard
     * output instead of the terminal summary.
     */
    @Test
    void compareOutputsEqualTheDossiersFilesAndCarryLanguageFitness() throws Exception {
        String s = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString();
        String r = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString();
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, "The quick brown fox jumps over the lazy dog.\nPedigree reads weights.\n");
        Path d = dir.resolve("dossier");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "compare", s, r, "--sample", "64", "--corpus", corpus.toString(), "--dossier", d.toString()));
        for (dev.pedigree.report.ReportFormat f : dev.pedigree.report.ReportFormat.values()) {
            args.add(f.option());
            args.add(
                    f == dev.pedigree.report.ReportFormat.JSON
                            ? "-"
                            : dir.resolve("out-" + f.dossierFile()).toString());
        }
        Cli c = Cli.run(args.toArray(String[]::new));
        assertThat(c.exit()).as(c.err()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(c.out()).isEqualTo(Files.readString(d.resolve("result.json")));
        for (dev.pedigree.report.ReportFormat f : dev.pedigree.report.ReportFormat.values()) {
            if (f != dev.pedigree.report.ReportFormat.JSON) {
                assertThat(Files.readString(dir.resolve("out-" + f.dossierFile())))
                        .as(f.option())
                        .isEqualTo(Files.readString(d.resolve(f.dossierFile())));
            }
        }
        assertThat(Files.readString(d.resolve("report.md")))
                .contains("| tokenizer | tokens per character |")
                .contains("| suspect \\(")
                .contains("| reference \\(")
                .contains("tokens; byte fallback");
        assertThat(Files.readString(d.resolve("command.txt")))
                .contains("'--corpus'")
                .doesNotContain("out-");

        Cli nothing = Cli.run("report", d.resolve("result.json").toString());
        assertThat(nothing.exit()).isEqualTo(ExitCode.USAGE.code());
        assertThat(nothing.err()).contains("--json, --html, --markdown, --cyclonedx");
        Cli again = Cli.run("report", d.resolve("result.json").toString(), "--json", "-");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).isEqualTo(Files.readString(d.resolve("result.json")));
    }

    @Test
    void reportOnACorruptResultIsAnInputError() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"schema\": \"pedigree/compare/v1\", ");
        Cli r = Cli.run(
                "report", bad.toString(), "--html", dir.resolve("x.html").toString());
        assertThat(r.exit()).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
