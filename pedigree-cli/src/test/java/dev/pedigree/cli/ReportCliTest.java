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
                .contains("SHARED LINEAGE")
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
        assertThat(Files.readString(html2)).contains("SHARED LINEAGE");
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
