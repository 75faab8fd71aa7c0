package dev.pedigree.report.attest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pedigree.attest.AttestationReport;
import dev.pedigree.attest.CheckResult;
import dev.pedigree.attest.Finding;
import dev.pedigree.attest.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link AttestJson} writes the bytes that {@code attest verify --json} wrote when it serialised the
 * record with databind (snake_case names, default pretty printer): checked against that mapper on
 * reports with and without subject, signature, findings and failures.
 */
class AttestJsonTest {
    /** What VerifyCommand.writeJson did before the renderer moved here. */
    private static String databind(AttestationReport r) throws Exception {
        ObjectMapper m = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
        return m.writeValueAsString(r) + "\n";
    }

    private static final List<CheckResult> CHECKS = List.of(
            new CheckResult(
                    CheckResult.CHAIN,
                    "the ledger's hash chain is intact",
                    Status.PASS,
                    "2 entries chained from genesis; steps [0, 100]",
                    List.of(
                            Finding.pass("entry 0 (step 0)", "entry", "hash 0123… chains to genesis"),
                            Finding.info(
                                    "(embeddings, -, EMBEDDING) w", "scheme", "std 0.3067; ratio √2/√fan_in ≈ 1.23"))),
            new CheckResult(
                    CheckResult.CONTINUITY,
                    "every checkpoint continues the previous one",
                    Status.FAIL,
                    "checkpoint 2: \"quoted\" \\ tab\t",
                    List.of(Finding.fail("checkpoint 2 (step 200)", "continuation", "INDEPENDENT (log10 p 0.0)"))),
            new CheckResult(
                    CheckResult.RELEASE,
                    "the release derives from the last checkpoint",
                    Status.SKIPPED,
                    "no release",
                    List.of()));

    @Test
    void bytesEqualDatabindsForEveryShapeOfReport() throws Exception {
        AttestationReport full = new AttestationReport(
                AttestationReport.SCHEMA,
                Status.FAIL,
                "continuity",
                "check 'continuity' failed",
                "/tmp/train.ledger",
                "ab".repeat(32),
                3,
                new AttestationReport.Subject("release.safetensors", "cd".repeat(32), 200L),
                CHECKS,
                null);
        AttestationReport signed = full.withSignature(new AttestationReport.SignatureCheck(
                "/tmp/s.dsse.json", false, "ef".repeat(32), "no signature verifies"));
        AttestationReport unread = new AttestationReport(
                AttestationReport.SCHEMA,
                Status.FAIL,
                "chain",
                "ledger unreadable",
                "x",
                "00",
                0,
                null,
                List.of(),
                null);
        for (AttestationReport r : List.of(full, signed, unread)) {
            assertThat(AttestJson.write(r)).isEqualTo(databind(r));
        }
        assertThat(AttestJson.write(unread)).contains("\"checks\" : [ ]", "\"subject\" : null", "\"signature\" : null");
    }
}
