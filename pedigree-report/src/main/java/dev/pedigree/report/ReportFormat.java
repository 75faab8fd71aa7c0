package dev.pedigree.report;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.bom.BomContext;
import dev.pedigree.report.bom.CycloneDxBom;
import dev.pedigree.report.compare.CompareJson;
import dev.pedigree.report.html.HtmlReport;
import dev.pedigree.report.markdown.MarkdownReport;

/**
 * Every file rendering of a comparison result, each with its command-line option and its file name
 * in a dossier. {@code compare} and {@code report} offer one {@code OPTION FILE} per constant, and
 * the dossier holds one file per constant, in this order. A new report format is its renderer class
 * and one constant here.
 */
public enum ReportFormat {
    JSON(
            "--json",
            "result.json",
            "Write the result as JSON (pedigree/compare/v1) to FILE ('-' for standard output).",
            false) {
        @Override
        public String render(ComparisonResult r, ReportContext report, BomContext bom) {
            return Json.write(CompareJson.tree(r));
        }
    },
    HTML("--html", "report.html", "Write a self-contained HTML report.", true) {
        @Override
        public String render(ComparisonResult r, ReportContext report, BomContext bom) {
            return HtmlReport.render(r, report);
        }
    },
    MARKDOWN("--markdown", "report.md", "Write a Markdown summary.", true) {
        @Override
        public String render(ComparisonResult r, ReportContext report, BomContext bom) {
            return MarkdownReport.render(r, report);
        }
    },
    CYCLONEDX(
            "--cyclonedx",
            "bom.cdx.json",
            "Write a CycloneDX 1.6 ML-BOM of the suspect with its verified and declared lineage.",
            true) {
        @Override
        public String render(ComparisonResult r, ReportContext report, BomContext bom) {
            return CycloneDxBom.render(r, bom);
        }
    };

    private final String option;
    private final String dossierFile;
    private final String description;
    private final boolean usesContext;

    ReportFormat(String option, String dossierFile, String description, boolean usesContext) {
        this.option = option;
        this.dossierFile = dossierFile;
        this.description = description;
        this.usesContext = usesContext;
    }

    /** The command-line option that writes this format to a file, e.g. {@code --html}. */
    public String option() {
        return option;
    }

    /** The file name in a dossier, e.g. {@code report.html}. */
    public String dossierFile() {
        return dossierFile;
    }

    /** The option's help text. */
    public String description() {
        return description;
    }

    /**
     * Whether the rendering shows the contexts (input hashes, claims, fitness, BOM metadata); when
     * false the result alone decides it, and a caller need not gather the contexts.
     */
    public boolean usesContext() {
        return usesContext;
    }

    /**
     * Renders {@code r}. Deterministic: the same arguments give the same text (contexts without time
     * stamps give byte-identical reruns).
     *
     * @param report extras of human reports; {@link ReportContext#EMPTY} for none
     * @param bom extras of the BOM; {@link BomContext#EMPTY} for none
     */
    public abstract String render(ComparisonResult r, ReportContext report, BomContext bom);
}
