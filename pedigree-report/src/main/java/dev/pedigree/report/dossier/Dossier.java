package dev.pedigree.report.dossier;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.io.Sha256;
import dev.pedigree.report.Json;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.bom.BomContext;
import dev.pedigree.report.bom.CycloneDxBom;
import dev.pedigree.report.compare.CompareJson;
import dev.pedigree.report.html.HtmlReport;
import dev.pedigree.report.markdown.MarkdownReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes every rendering of one comparison into a folder, deterministically: the same result and
 * contexts give byte-identical files on every run (the report's generated-at stamp and the BOM
 * timestamp are dropped). Files: {@code result.json}, {@code report.html}, {@code report.md},
 * {@code bom.cdx.json} and {@code SHA256SUMS} over them (in {@code sha256sum} format).
 */
public final class Dossier {
    /** File names, in the order they are written. */
    public static final List<String> FILES =
            List.of("result.json", "report.html", "report.md", "bom.cdx.json", "SHA256SUMS");

    private Dossier() {}

    /** The dossier's files by name, without touching the disk. */
    public static Map<String, String> render(ComparisonResult r, ReportContext report, BomContext bom) {
        ReportContext rc = (report == null ? ReportContext.EMPTY : report).withoutGeneratedAt();
        BomContext b = bom == null ? BomContext.EMPTY : bom;
        BomContext bc = new BomContext(
                b.suspectName(),
                b.suspectVersion(),
                b.files(),
                b.declaredClaims(),
                b.referenceNames(),
                b.pedigreeVersion(),
                null);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("result.json", Json.write(CompareJson.tree(r)));
        out.put("report.html", HtmlReport.render(r, rc));
        out.put("report.md", MarkdownReport.render(r, rc));
        out.put("bom.cdx.json", CycloneDxBom.render(r, bc));
        StringBuilder sums = new StringBuilder();
        for (Map.Entry<String, String> e : out.entrySet()) {
            sums.append(sha256(e.getValue())).append("  ").append(e.getKey()).append('\n');
        }
        out.put("SHA256SUMS", sums.toString());
        return out;
    }

    /**
     * Writes the dossier into {@code dir} (created if needed), replacing files of the same names.
     *
     * @return the written files
     */
    public static List<Path> write(Path dir, ComparisonResult r, ReportContext report, BomContext bom)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, String> e : render(r, report, bom).entrySet()) {
            Path f = dir.resolve(e.getKey());
            Files.writeString(f, e.getValue(), StandardCharsets.UTF_8);
            written.add(f);
        }
        return written;
    }

    static String sha256(String s) {
        return Sha256.hex(s.getBytes(StandardCharsets.UTF_8));
    }
}
