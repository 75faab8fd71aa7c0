package dev.pedigree.report.dossier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.Cases;
import dev.pedigree.report.ReportContext;
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
        List<Path> a = Dossier.write(dir.resolve("a"), r, rc, bc);
        List<Path> b = Dossier.write(
                dir.resolve("b"),
                Cases.transplant(),
                ReportContext.builder()
                        .generatedAt("2027-01-01T00:00Z")
                        .referenceName("openai/clip-vit-large-patch14")
                        .declaredClaims(Cases.transplantClaims())
                        .build(),
                new BomContext(
                        "acme/vlm-7b", null, List.of(), Cases.transplantClaims(), Map.of(), "0.1.0", Instant.now()));
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
    }
}
