package dev.pedigree.report.dossier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.Cases;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.ReportFormat;
import dev.pedigree.report.bom.BomContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DossierTest {
    @Test
    void rerunsAreByteIdenticalEvenWithClocksInTheContexts(@TempDir Path dir) throws Exception {
        ComparisonResult r = Cases.transplant();
        ReportContext rc = ReportContext.builder()
                .generatedAt("2026-11-28T04:00Z")
                .referenceName("openai/clip-vit-large-patch14")
                .declaredClaims(Cases.transplantClaims())
                .build();
        BomContext bc = new BomContext(
                "acme/vlm-7b",
                null,
                List.of(),
                Cases.transplantClaims(),
                Map.of(),
                "0.1.0",
                Instant.parse("2026-11-28T04:00:00Z"));
        Dossier.Rerun rerun = new Dossier.Rerun(
                List.of("compare", "s it's", "r", "--html", "x.html", "--sample", "64", "--dossier=d"),
                "/opt/pedigree \"$HOME\"",
                Path.of("/work/here"));
        List<Path> a = Dossier.write(dir.resolve("a"), r, rc, bc, rerun);
        List<Path> b = Dossier.write(
                dir.resolve("b"),
                Cases.transplant(),
                ReportContext.builder()
                        .generatedAt("2027-01-01T00:00Z")
                        .referenceName("openai/clip-vit-large-patch14")
                        .declaredClaims(Cases.transplantClaims())
                        .build(),
                new BomContext(
                        "acme/vlm-7b", null, List.of(), Cases.transplantClaims(), Map.of(), "0.1.0", Instant.now()),
                rerun);
        assertThat(a).extracting(p -> p.getFileName().toString()).containsExactlyElementsOf(Dossier.FILES);
        for (int i = 0; i < a.size(); i++) {
            assertThat(Files.readAllBytes(b.get(i)))
                    .as(a.get(i).getFileName().toString())
                    .isEqualTo(Files.readAllBytes(a.get(i)));
        }
        assertThat(Files.readString(a.get(1))).doesNotContain("Generated");
        assertThat(Files.readString(a.get(3))).doesNotContain("timestamp");
        String sums = Files.readString(dir.resolve("a/SHA256SUMS"));
        assertThat(sums.lines()).hasSize(4).allMatch(l -> l.matches("[0-9a-f]{64}  [a-z.]+"));
        assertThat(sums).contains(Dossier.sha256(Files.readString(a.get(0))) + "  result.json");
        assertThat(Dossier.render(r, rc, bc).keySet()).containsExactlyElementsOf(Dossier.RENDERED);
        String sh = Files.readString(dir.resolve("a/rerun.sh"));
        assertThat(sh)
                .contains("pedigree=\"${PEDIGREE:-/opt/pedigree \\\"\\$HOME\\\"}\"\n")
                .contains("cd '/work/here'\n")
                .contains("\"$pedigree\" 'compare' 's it'\\''s' 'r' '--sample' '64' --json \"$out/result.json\"")
                .doesNotContain("x.html")
                .doesNotContain("--dossier");
        assertThat(dir.resolve("a/rerun.sh")).isExecutable();
    }

    /** Every report format's option and --dossier are output options: a rerun leaves them out, in both spellings. */
    @Test
    void rerunArgumentsLeaveOutEveryOutputOption() {
        List<String> args = new java.util.ArrayList<>(List.of("compare", "s", "r", "--seed", "7"));
        for (ReportFormat f : ReportFormat.values()) {
            args.add(f.option());
            args.add("out" + f.dossierFile());
            args.add(f.option() + "=other" + f.dossierFile());
        }
        args.add("--dossier");
        args.add("d1");
        args.add("--dossier=d2");
        assertThat(Dossier.rerunArgs(args)).containsExactly("compare", "s", "r", "--seed", "7");
        assertThat(Dossier.commandLine(args)).isEqualTo("pedigree 'compare' 's' 'r' '--seed' '7'");
    }
}
