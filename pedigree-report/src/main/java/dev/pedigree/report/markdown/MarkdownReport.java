package dev.pedigree.report.markdown;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.report.ChangeSummary;
import dev.pedigree.report.ClaimCheck;
import dev.pedigree.report.ClosenessText;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.Findings;
import dev.pedigree.report.LanguageFitnessRow;
import dev.pedigree.report.MethodCatalogue;
import dev.pedigree.report.Relation;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.Summaries;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders the findings of a comparison as GitHub-flavoured Markdown for an issue or a model card:
 * headings, lists and pipe tables, no HTML. Every string from the inputs is escaped so that it
 * cannot open a link, an image, a table cell or an HTML tag. Deterministic; stateless.
 */
public final class MarkdownReport {
    /** Longest layer map listed in full; longer maps are summarised. */
    static final int MAX_LAYER_ROWS = 64;

    private MarkdownReport() {}

    /** The report as Markdown text ending with a newline. */
    public static String render(ComparisonResult r, ReportContext ctx) {
        ReportContext c = ctx == null ? ReportContext.EMPTY : ctx;
        String ref = c.referenceName() == null || c.referenceName().isBlank()
                ? Findings.modelName(r.reference())
                : c.referenceName();
        String sus = c.suspectName() == null || c.suspectName().isBlank()
                ? Findings.modelName(r.suspect())
                : c.suspectName();
        StringBuilder sb = new StringBuilder();
        sb.append("## Pedigree: ")
                .append(esc(sus))
                .append(" vs ")
                .append(esc(ref))
                .append("\n\n");
        sb.append("**Question.** ").append(esc(Findings.question(r, ref, sus))).append("\n\n");
        sb.append("**Answer: ")
                .append(Findings.answerWord(r))
                .append("** (")
                .append(Findings.answerScale(r))
                .append("). ")
                .append(esc(Findings.answer(r, ref, sus)))
                .append("\n\n");
        for (String s : Findings.componentSentences(r, ref)) {
            sb.append("- ").append(esc(s)).append('\n');
        }
        if (!r.components().isEmpty()) {
            sb.append('\n');
        }
        Relation.looksLike(r).ifPresent(l -> {
            sb.append(esc(Summaries.looksLike(l, sus, ref))).append("\n\n");
            Relation.modelCardSnippet(r, ref)
                    .ifPresent(snippet -> sb.append("Suggested model-card metadata (verified from the weights):\n\n")
                            .append("```yaml\n")
                            .append(snippet.replace('`', '\''))
                            .append("```\n\n"));
        });
        if (r.log10p() != null) {
            sb.append(esc(Summaries.relatedParameters(r, ref))).append("\n\n");
        }
        sb.append("> **How to read this report**\n>\n");
        for (String line : Findings.HOW_TO_READ) {
            sb.append("> - ").append(esc(line)).append('\n');
        }
        sb.append("> - Terms: see the glossary at the end.\n\n");

        List<ClaimCheck> checks = ClaimCheck.check(r, c.declaredClaims(), c.referenceName());
        if (c.declaredClaims() != null) {
            sb.append("### Declared lineage versus the weights\n\n");
            if (c.declaredClaims().isEmpty()) {
                sb.append("The suspect declares no base model.\n\n");
            }
            if (!checks.isEmpty()) {
                sb.append("| status | declared | where | what the weights say |\n|---|---|---|---|\n");
                for (ClaimCheck k : checks) {
                    sb.append("| ")
                            .append(k.status().flagged() ? "**FLAG** " : "")
                            .append(k.status().name().replace('_', ' ').toLowerCase(Locale.ROOT))
                            .append(" | ")
                            .append(
                                    k.claim() == null
                                            ? "(nothing)"
                                            : cell(k.claim().relation() + " = "
                                                    + k.claim().value()))
                            .append(" | ")
                            .append(k.claim() == null ? "" : cell(k.claim().origin()))
                            .append(" | ")
                            .append(cell(k.message()))
                            .append(" |\n");
                }
                sb.append('\n');
            }
        }

        sb.append(
                "### What was compared\n\n| role | name | source | format | architecture | parameters |\n|---|---|---|---|---|---:|\n");
        sb.append("| suspect | ")
                .append(cell(sus))
                .append(" | ")
                .append(cell(Findings.relativeSource(r.suspect().source())))
                .append(" | ")
                .append(cell(r.suspect().format()))
                .append(" | ")
                .append(cell(
                        r.suspect().architecture() == null
                                ? "unknown"
                                : r.suspect().architecture()))
                .append(" | ")
                .append(Findings.count(r.suspect().parameters()))
                .append(" |\n");
        sb.append("| reference | ")
                .append(cell(ref))
                .append(" | ")
                .append(cell(Findings.relativeSource(r.reference().source())))
                .append(" | ")
                .append(cell(r.reference().format()))
                .append(" | ")
                .append(cell(
                        r.reference().architecture() == null
                                ? "unknown"
                                : r.reference().architecture()))
                .append(" | ")
                .append(Findings.count(r.reference().parameters()))
                .append(" |\n\n");
        if (!c.inputHashes().isEmpty()) {
            sb.append("<details><summary>SHA-256 of the input files</summary>\n\n");
            sb.append("| role | file | SHA-256 |\n|---|---|---|\n");
            for (FileHash h : c.inputHashes()) {
                sb.append("| ")
                        .append(cell(h.role()))
                        .append(" | ")
                        .append(cell(Findings.relativeSource(h.file())))
                        .append(" | ")
                        .append(h.sha256() != null ? "`" + h.sha256() + "`" : cell(h.unhashed()))
                        .append(" |\n");
            }
            sb.append("\n</details>\n\n");
        }

        if (!r.components().isEmpty()) {
            sb.append(
                    "### Components\n\n| component | kind | parameters | share | verdict | how sure | evidence |\n|---|---|---:|---:|---|---|---|\n");
            for (ComponentResult k : r.components()) {
                sb.append("| ")
                        .append(cell(k.name()))
                        .append(" | ")
                        .append(k.kind().jsonName())
                        .append(" | ")
                        .append(Findings.count(k.parameters()))
                        .append(" | ")
                        .append(cell(Findings.share(k.parameters(), r.suspect().parameters())))
                        .append(" | ")
                        .append(Findings.label(k.verdict()))
                        .append(" | ")
                        .append(Relation.scale(k.verdict(), k.log10p()))
                        .append(" | ")
                        .append(cell(Findings.pValue(k.log10p())))
                        .append(" |\n");
            }
            sb.append("\n<details><summary>Strongest tests per component (exact values)</summary>\n\n");
            for (ComponentResult k : r.components()) {
                sb.append("- **").append(esc(k.name())).append("**: ").append(esc(Findings.exactLog10p(k.log10p())));
                Relation.strongestCounted(k)
                        .ifPresent(b -> sb.append("; strongest counted test `")
                                .append(b.test().replace('`', '\''))
                                .append("` ")
                                .append(esc(Findings.exactLog10p(b.log10p()))));
                Relation.strongestContext(k)
                        .ifPresent(w -> sb.append("; context, not counted: `")
                                .append(w.test().replace('`', '\''))
                                .append("` (")
                                .append(esc(Relation.whyNotCounted(w)))
                                .append(')'));
                String why = Findings.sentences(Findings.plainReason(k.reason()), ClosenessText.sentence(k));
                if (!why.isEmpty()) {
                    sb.append(". ").append(esc(why));
                }
                sb.append('\n');
            }
            sb.append("\n</details>\n\n");
        }

        if (!r.layerMap().isEmpty()) {
            boolean closeness = r.layerMap().stream()
                    .anyMatch(m -> !ClosenessText.block(r, m).isEmpty());
            sb.append("### Layer map\n\n");
            sb.append(r.layerMap().size())
                    .append(" suspect blocks matched to reference blocks (Bonferroni-corrected).")
                    .append(
                            closeness
                                    ? " Closeness: the correlation r of the pair's matched weights (0: unrelated, 1: identical),"
                                            + " the share of units matched and the relative change of the weights."
                                    : "")
                    .append("\n\n");
            sb.append(
                    closeness
                            ? "| suspect block | reference block | closeness | log10 p |\n|---|---|---|---:|\n"
                            : "| suspect block | reference block | log10 p |\n|---|---|---:|\n");
            int k = 0;
            for (LayerMatch m : r.layerMap()) {
                if (k++ == MAX_LAYER_ROWS) {
                    sb.append("| … | ")
                            .append(r.layerMap().size() - MAX_LAYER_ROWS)
                            .append(closeness ? " more | | |\n" : " more | |\n");
                    break;
                }
                sb.append("| ")
                        .append(cell(m.suspect().component() + "." + m.suspect().layer()))
                        .append(" | ")
                        .append(cell(
                                m.reference().component() + "." + m.reference().layer()))
                        .append(" | ")
                        .append(closeness ? cell(ClosenessText.block(r, m)) + " | " : "")
                        .append(String.format(Locale.ROOT, "%.1f", m.log10p()))
                        .append(" |\n");
            }
            sb.append('\n');
        }

        TokenizerLineage t = r.tokenizer();
        sb.append("### Tokenizer\n\n")
                .append(esc(Findings.tokenizerSentence(t, ref)))
                .append("\n\n");
        if (t.relation() != TokenizerLineage.Relation.ABSENT) {
            sb.append(
                    "| relation | direction | Jaccard | inherited fraction | added | removed | special added | special removed |\n"
                            + "|---|---|---:|---:|---:|---:|---:|---:|\n");
            sb.append("| ")
                    .append(t.relation())
                    .append(" | ")
                    .append(t.direction())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.4f", t.jaccard()))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.4f", t.inheritedFraction()))
                    .append(" | ")
                    .append(Findings.count(t.addedTokens()))
                    .append(" | ")
                    .append(Findings.count(t.removedTokens()))
                    .append(" | ")
                    .append(
                            t.specials().compared()
                                    ? Findings.count(t.specials().added())
                                    : "\u2013")
                    .append(" | ")
                    .append(
                            t.specials().compared()
                                    ? Findings.count(t.specials().removed())
                                    : "\u2013")
                    .append(" |\n\n");
        }
        if (c.addedTokenScripts() != null && !c.addedTokenScripts().isEmpty()) {
            sb.append("Scripts of the added tokens: ");
            int k = 0;
            for (var e : c.addedTokenScripts().entrySet()) {
                sb.append(k++ == 0 ? "" : "; ")
                        .append(esc(e.getKey()))
                        .append(' ')
                        .append(Findings.count(e.getValue()));
            }
            sb.append(".\n\n");
        }
        if (c.addedTokenExamples() != null && !c.addedTokenExamples().isEmpty()) {
            sb.append("Examples of added tokens, by script:\n\n");
            c.addedTokenExamples().forEach((script, ex) -> {
                sb.append("- ").append(esc(script)).append(": ");
                for (int i = 0; i < ex.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(code(ex.get(i)));
                }
                sb.append('\n');
            });
            sb.append('\n');
        } else if (!t.addedExamples().isEmpty()) {
            sb.append("Examples of added tokens: ");
            for (int i = 0; i < t.addedExamples().size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(code(t.addedExamples().get(i)));
            }
            sb.append("\n\n");
        }
        if (!c.languageFitness().isEmpty()) {
            sb.append("| tokenizer | tokens per character | tokens per word | notes |\n|---|---:|---:|---|\n");
            for (LanguageFitnessRow f : c.languageFitness()) {
                sb.append("| ")
                        .append(cell(f.tokenizer()))
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%.3f", f.tokensPerChar()))
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%.3f", f.tokensPerWord()))
                        .append(" | ")
                        .append(cell(f.notes()))
                        .append(" |\n");
            }
            sb.append('\n');
        }

        CustomisationSummary cs = r.customisation();
        if (cs != null) {
            sb.append("### How the suspect was changed\n\n");
            if (!cs.note().isEmpty()) {
                sb.append(esc(cs.note())).append("\n\n");
            }
            if (!cs.layers().isEmpty()) {
                long identical = cs.layers().stream()
                        .filter(CustomisationSummary.LayerChange::bitIdentical)
                        .count();
                double max = cs.layers().stream()
                        .mapToDouble(CustomisationSummary.LayerChange::relativeChange)
                        .max()
                        .orElse(0);
                sb.append(String.format(
                        Locale.ROOT,
                        "%d tensors compared in matched blocks; %d bit-identical; largest relative change %.3g.",
                        cs.layers().size(),
                        identical,
                        max));
                sb.append(
                                cs.untouchedLayers().isEmpty()
                                        ? ""
                                        : " " + cs.untouchedLayers().size() + " blocks untouched.")
                        .append("\n\n");
            }
            for (String line : ChangeSummary.experts(cs.experts())) {
                sb.append("- ").append(esc(line)).append('\n');
            }
            if (!cs.experts().isEmpty()) {
                sb.append('\n');
            }
            for (String line : ChangeSummary.lines(cs)) {
                sb.append(esc(line)).append("\n\n");
            }
            if (cs.embeddings() != null) {
                CustomisationSummary.EmbeddingChange e = cs.embeddings();
                sb.append(String.format(
                                Locale.ROOT,
                                "Token embeddings: %s shared tokens, %s new, %s re-initialised rows, median row correlation %.3f.",
                                Findings.count(e.sharedTokens()),
                                Findings.count(e.newTokens()),
                                Findings.count(e.reinitialisedRows()),
                                e.medianRowCorrelation()))
                        .append("\n\n");
            }
        }

        sb.append(
                "### Method\n\nNull hypothesis of every test: the two models' weights were initialised independently.\n\n");
        Set<MethodCatalogue.Family> fams = new LinkedHashSet<>();
        for (MethodCatalogue.Family f : MethodCatalogue.FAMILIES) {
            for (ComponentResult k : r.components()) {
                for (Evidence e : k.evidence()) {
                    if (MethodCatalogue.family(e.test()) == f) {
                        fams.add(f);
                    }
                }
            }
        }
        if (fams.isEmpty()) {
            sb.append("No weight test ran.\n\n");
        } else {
            sb.append("| test | null hypothesis |\n|---|---|\n");
            for (MethodCatalogue.Family f : fams) {
                sb.append("| ")
                        .append(cell(f.name() + (f.weak() ? " (weak; not combined)" : "")))
                        .append(" | ")
                        .append(cell(f.nullHypothesis()))
                        .append(" |\n");
            }
            sb.append('\n');
        }
        SamplingInfo s = r.sampling();
        sb.append("Sampling: ").append(esc(Summaries.sampling(s))).append("\n\n");
        sb.append(
                "Raw cosine similarity is never used as evidence: norm gains start at 1, so unrelated models reach a raw cosine near 1.\n\n");
        sb.append(esc(Findings.thresholdsInWords(r.thresholds()))).append("\n\n");
        if (!r.warnings().isEmpty()) {
            sb.append("### Caveats\n\n");
            r.warnings().forEach(w -> sb.append("- ").append(esc(w)).append('\n'));
            sb.append('\n');
        }
        sb.append("### Glossary\n\n");
        Findings.GLOSSARY.forEach((term, meaning) -> sb.append("- **")
                .append(esc(term))
                .append("**: ")
                .append(esc(meaning))
                .append('\n'));
        sb.append('\n');
        sb.append("_Produced by Pedigree").append(c.pedigreeVersion() == null ? "" : " " + esc(c.pedigreeVersion()));
        if (c.generatedAt() != null) {
            sb.append(", ").append(esc(c.generatedAt()));
        }
        sb.append("._\n");
        return superscripts(sb.toString());
    }

    /**
     * Escapes Markdown and HTML syntax so input text shows literally: backslash-escapes ASCII
     * punctuation that Markdown interprets, and folds line breaks into spaces.
     */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(cp -> {
            if (cp == '\n' || cp == '\r' || cp == '\t') {
                sb.append(' ');
            } else if (cp < 0x20 || cp == 0x7f) {
                sb.append('\uFFFD');
            } else if ("\\`*_{}[]()<>#+!|~&".indexOf(cp) >= 0) {
                sb.append('\\').appendCodePoint(cp);
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.toString();
    }

    /**
     * Powers of ten as GitHub shows them without HTML: "10^-100" becomes "10" followed by
     * superscript digits (a caret would print literally).
     */
    static String superscripts(String s) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("10\\^(-?\\d+)").matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            StringBuilder e = new StringBuilder("10");
            for (char ch : m.group(1).toCharArray()) {
                e.append(ch == '-' ? '\u207b' : SUPERSCRIPT_DIGITS.charAt(ch - '0'));
            }
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(e.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final String SUPERSCRIPT_DIGITS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";

    /** A table cell: escaped (pipes included). */
    static String cell(String s) {
        return esc(s);
    }

    /** A token as inline code, with a fence longer than any backtick run inside it. */
    static String code(String s) {
        String t = s.replaceAll("[\\r\\n\\t]", " ").replaceAll("[\\x00-\\x1f\\x7f]", "\uFFFD");
        int run = 0;
        int longest = 0;
        for (char ch : t.toCharArray()) {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        // Tokens are listed outside tables, so a pipe needs no escape inside the code span.
        String body = t;
        boolean pad = body.startsWith("`") || body.endsWith("`") || body.startsWith(" ") || body.isEmpty();
        return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
    }
}
