package dev.pedigree.cli;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.format.tokenizers.encode.FitnessReport;
import dev.pedigree.format.tokenizers.encode.LanguageFitness;
import dev.pedigree.format.tokenizers.encode.TokenizerFitness;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import dev.pedigree.model.ModelView;
import dev.pedigree.report.AddedTokens;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.Findings;
import dev.pedigree.report.LanguageFitnessRow;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.ReportFormat;
import dev.pedigree.report.bom.BomContext;
import dev.pedigree.report.compare.CompareText;
import dev.pedigree.report.dossier.Dossier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pedigree compare SUSPECT REFERENCE [--json FILE] [--sample N] [--seed S]}. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        modelTransformer = ReportOptions.class,
        description = {
            "Decide, per component, whether SUSPECT's weights share lineage with REFERENCE's (fine-tuned, quantised, pruned,",
            "permuted or otherwise derived from it or from a common ancestor) or were initialised independently.",
            "Exit code: 10 shared lineage, 11 independent, 12 inconclusive (see 'pedigree --help'); two tokenizers without weights:",
            "the tokenizer relation decides it (10 IDENTICAL or DERIVED, 11 INDEPENDENT)."
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

    @Option(
            names = Dossier.OPTION,
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

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Display name of SUSPECT in the reports (default: its Hugging Face id or directory name).")
    String suspectName;

    @Option(
            names = "--reference-name",
            paramLabel = "NAME",
            description = "Display name of REFERENCE in the reports (default: its Hugging Face id or directory name).")
    String referenceName;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sample != null && sample < 8) {
            throw new CliException(ExitCode.USAGE, "--sample must be at least 8 rows, got " + sample);
        }
        CompareOptions options = CompareOptions.DEFAULT.withSeed(seed).withSampleRows(sample);
        Map<ReportFormat, Path> outputs = ReportOptions.requested(spec);
        PrintWriter out = spec.commandLine().getOut();
        ComparisonResult result;
        Main main = Main.of(spec);
        try (Progress progress = main.progress("compare");
                ModelView s = progress.open(suspect);
                ModelView r = progress.open(reference)) {
            progress.phase("comparing");
            result = LineageComparator.compare(s, r, options);
            ReportContext ctx = ReportContext.EMPTY;
            BomContext bom = BomContext.EMPTY;
            if (dossier != null || outputs.keySet().stream().anyMatch(ReportFormat::usesContext)) {
                // Gathered while both views are open: input hashes, declared claims, language fitness.
                progress.phase("hashing the input files");
                ctx = context(s, r);
                bom = BomContext.of(ctx, suspect, r.source(), reference);
            }
            progress.phase("writing the reports");
            ReportOptions.write(outputs, result, ctx, bom, out);
            if (dossier != null) {
                String launcher = System.getenv().getOrDefault("PEDIGREE_LAUNCHER", "pedigree");
                Dossier.write(
                        dossier,
                        result,
                        ctx,
                        bom,
                        new Dossier.Rerun(originalArgs(), launcher, Path.of("").toAbsolutePath()));
            }
        }
        if (!ReportOptions.toStdout(outputs)) {
            main.print(
                    spec,
                    CompareText.render(
                            result, displayName(suspectName, suspect), displayName(referenceName, reference)));
        }
        out.flush();
        return ExitCode.of(result).code();
    }

    /** The display name of a model: the option when given, else its Hugging Face id or directory name. */
    static String displayName(String option, String argument) {
        return option != null && !option.isBlank() ? option : Findings.displayName(argument);
    }

    private List<String> originalArgs() {
        return spec.commandLine().getParseResult().originalArgs();
    }

    /**
     * What the human reports and the dossier show beside the result: the command that determines it,
     * the version, the input files' hashes, the suspect's declared claims and, with {@code --corpus},
     * both tokenizers' language fitness.
     */
    private ReportContext context(ModelView s, ModelView r) throws IOException, ModelFormatException {
        Optional<FitnessReport> fit = corpus == null ? Optional.empty() : LanguageFitness.compare(s, r, corpus);
        ReportContext.Builder b = ReportContext.builder()
                .commandLine(Dossier.commandLine(originalArgs()))
                .pedigreeVersion(Main.version())
                .inputHashes(hashInputs(s, r))
                .declaredClaims(s.claims())
                .referenceName(displayName(referenceName, reference))
                .suspectName(displayName(suspectName, suspect));
        fit.ifPresent(f -> {
            List<LanguageFitnessRow> rows = new ArrayList<>();
            for (TokenizerFitness t : f.tokenizers()) {
                rows.add(new LanguageFitnessRow(
                        t.name() + " (" + t.description() + ")",
                        t.tokensPerCharacter(),
                        t.tokensPerWord(),
                        String.format(
                                Locale.ROOT,
                                "%d tokens; byte fallback %.1f%%, unknown %d",
                                t.tokens(),
                                100 * t.fallbackShare(),
                                t.unknownTokens())));
            }
            b.languageFitness(rows);
            f.gainAnalysis().ifPresent(g -> b.addedTokenScripts(g.occurrencesByScript()));
        });
        if (s.vocabulary().isPresent() && r.vocabulary().isPresent()) {
            // Every added token by script, readable (issue 15): not just the engine's few examples.
            AddedTokens.Summary added =
                    AddedTokens.of(s.vocabulary().get(), r.vocabulary().get(), 5);
            if (added.total() > 0) {
                b.addedTokenExamples(added.examples());
                if (fit.flatMap(FitnessReport::gainAnalysis).isEmpty()) {
                    b.addedTokenScripts(added.scripts());
                }
            }
        }
        return b.build();
    }

    /** SHA-256 of every file behind both views; remote sources are listed by URL without a hash. */
    private static List<FileHash> hashInputs(ModelView suspect, ModelView reference) throws IOException {
        List<FileHash> out = new ArrayList<>();
        for (var e : Map.of("suspect", suspect, "reference", reference).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .toList()) {
            ModelView v = e.getValue();
            if (v.files().isEmpty()) {
                out.add(FileHash.unhashed(
                        e.getKey(),
                        v.source(),
                        "remote (revision " + v.metadata().getOrDefault("remote.revision", "?") + ", commit "
                                + v.metadata().getOrDefault("remote.commit", "?") + ")"));
            }
            for (Path f : v.files()) {
                out.add(new FileHash(e.getKey(), f.toString(), Sha256.file(f)));
            }
        }
        return out;
    }
}
