package dev.pedigree.cli.registry;

import dev.pedigree.cli.ExitCode;
import dev.pedigree.cli.JsonOption;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ModelView;
import dev.pedigree.registry.Identifier;
import dev.pedigree.registry.IdentifyOptions;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.Registry;
import dev.pedigree.report.identify.IdentifyJson;
import dev.pedigree.report.identify.IdentifyText;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pedigree identify SUSPECT [--registry DB] [--json FILE]}. Exit codes ({@link ExitCode}):
 * SHARED_LINEAGE a registered ancestor shares lineage (or a tensor is reused exactly), INDEPENDENT
 * none found by tests with power, INCONCLUSIVE otherwise.
 */
@Command(
        name = "identify",
        mixinStandardHelpOptions = true,
        description = {
            "Rank the models of the registry by evidence that SUSPECT shares their lineage, per component; report exact reuse of",
            "unchanged tensors from hashes alone, and the full comparison for the best candidates.",
            "Exit code: 10 ancestor found, 11 none found (tests had power), 12 inconclusive."
        })
public final class IdentifyCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "SUSPECT",
            description = "The model under question (file, directory, URL or hf:owner/name).")
    String suspect;

    @Mixin
    RegistryOption registry;

    @Mixin
    JsonOption json;

    @Option(
            names = "--candidates",
            paramLabel = "N",
            defaultValue = "8",
            description = "Most candidates given the full comparison (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "42",
            description = "Seed of the comparisons (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (candidates < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--candidates must be at least 1");
        }
        IdentifyOptions o = IdentifyOptions.DEFAULT.withMaxCandidates(candidates);
        o = new IdentifyOptions(CompareOptions.DEFAULT.withSeed(seed), o.maxCandidates(), o.widthLimit());
        IdentifyResult r;
        try (Registry reg = Registry.open(registry.resolve());
                ModelView v = ModelOpener.open(suspect)) {
            r = Identifier.identify(v, reg, o);
        }
        json.write(IdentifyJson.tree(r), spec.commandLine().getOut());
        if (!json.toStdout()) {
            spec.commandLine().getOut().print(IdentifyText.render(r));
        }
        spec.commandLine().getOut().flush();
        return ExitCode.of(r.verdict()).code();
    }
}
