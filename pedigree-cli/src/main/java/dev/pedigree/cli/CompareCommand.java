package dev.pedigree.cli;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ModelView;
import dev.pedigree.report.compare.CompareJson;
import dev.pedigree.report.compare.CompareText;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pedigree compare SUSPECT REFERENCE [--json FILE] [--sample N] [--seed S]}. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Decide, per component, whether SUSPECT's weights share lineage with REFERENCE's (fine-tuned, quantised, pruned,",
            "permuted or otherwise derived from it or from a common ancestor) or were initialised independently.",
            "Exit code: 10 shared lineage, 11 independent, 12 inconclusive (see 'pedigree --help')."
        })
final class CompareCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "SUSPECT",
            description = "The model under question (file, directory, tokenizer, URL or hf:owner/name).")
    String suspect;

    @Parameters(index = "1", paramLabel = "REFERENCE", description = "The suspected ancestor.")
    String reference;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Write the result as JSON (pedigree/compare/v1) to FILE ('-' for standard output).")
    Path json;

    @Option(
            names = "--sample",
            paramLabel = "N",
            description =
                    "Read a seeded sample of N rows/units per tensor instead of every row; p-values are computed on the sample.")
    Integer sample;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "42",
            description = "Seed for sampling and randomised nulls (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report.")
    Path html;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write a Markdown summary.")
    Path markdown;

    @Option(
            names = "--cyclonedx",
            paramLabel = "FILE",
            description = "Write a CycloneDX 1.6 ML-BOM of the suspect with its verified and declared lineage.")
    Path cyclonedx;

    @Option(
            names = "--dossier",
            paramLabel = "DIR",
            description =
                    "Write a reproducible dossier: result, reports, BOM, command, version, input hashes and rerun.sh.")
    Path dossier;

    @Option(
            names = "--corpus",
            paramLabel = "FILE",
            description =
                    "Text for the language-fitness section of the reports (tokens per character/word of both tokenizers).")
    Path corpus;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sample != null && sample < 8) {
            throw new CliException(ExitCode.USAGE, "--sample must be at least 8 rows, got " + sample);
        }
        CompareOptions options = CompareOptions.DEFAULT.withSeed(seed).withSampleRows(sample);
        ComparisonResult result;
        try (ModelView s = ModelOpener.open(suspect);
                ModelView r = ModelOpener.open(reference)) {
            result = LineageComparator.compare(s, r, options);
            if (html != null || markdown != null || cyclonedx != null || dossier != null) {
                java.util.List<String> args =
                        spec.commandLine().getParseResult().originalArgs();
                // The command that determines the result: output destinations are left out so that a
                // dossier written twice (or to another place) is byte-identical.
                String commandLine = "pedigree "
                        + String.join(
                                " ",
                                ReportOutputs.rerunArgs(args).stream()
                                        .map(ReportOutputs::shellQuote)
                                        .toList());
                var fit = corpus == null ? null : ReportOutputs.fitness(s, r, corpus);
                var ctx =
                        ReportOutputs.context(commandLine, ReportOutputs.hashInputs(s, r), s.claims(), reference, fit);
                var bom = ReportOutputs.bom(ctx, suspect, r.source(), reference);
                ReportOutputs.writeAll(result, ctx, bom, html, markdown, cyclonedx);
                if (dossier != null) {
                    ReportOutputs.dossier(dossier, result, ctx.withoutGeneratedAt(), bom, args);
                }
            }
        }
        JsonOption.write(CompareJson.tree(result), json, spec.commandLine().getOut());
        if (!JsonOption.toStdout(json)) {
            spec.commandLine().getOut().print(CompareText.render(result));
        }
        spec.commandLine().getOut().flush();
        return ExitCode.of(result.verdict()).code();
    }
}
