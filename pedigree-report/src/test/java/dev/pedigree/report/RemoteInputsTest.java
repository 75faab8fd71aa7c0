package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.report.bom.BomContext;
import dev.pedigree.report.dossier.Dossier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model read over HTTP ranges has no SHA-256 here: every report, the BOM and the dossier list it with its revision
 * instead of failing (compare of an hf: or https: model with --dossier or --cyclonedx).
 */
class RemoteInputsTest {
    static final String WHY = "remote (revision main, commit 0123abc)";

    @Test
    void aRemoteInputIsListedWithItsRevisionInEveryRendering() {
        List<FileHash> hashes = List.of(
                FileHash.unhashed("suspect", "hf:acme/model@main", WHY),
                new FileHash("reference", "model.safetensors", "3".repeat(64)));
        ReportContext ctx = ReportContext.builder().inputHashes(hashes).build();
        BomContext bom = new BomContext("acme/model", "main", hashes, List.of(), Map.of(), "0.1.0-SNAPSHOT", null);
        Map<String, String> files = Dossier.render(Cases.transplant(), ctx, bom);
        assertThat(files).isNotEmpty();
        String all = String.join("\n", files.values());
        assertThat(files.values().stream()
                        .filter(f -> f.contains("commit 0123abc"))
                        .count())
                .as("the HTML and Markdown reports list the remote input with its revision")
                .isGreaterThanOrEqualTo(2);
        assertThat(all).doesNotContain(">null<").doesNotContain("| null |");
    }

    @Test
    void aDigestOrAReasonIsRequired() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FileHash("suspect", "x", null, null))
                .isInstanceOf(NullPointerException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FileHash("suspect", "x", "zz"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
