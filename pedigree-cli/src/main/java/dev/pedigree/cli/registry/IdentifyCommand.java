package dev.pedigree.cli.registry;

import dev.pedigree.cli.ExitCode;
import dev.pedigree.cli.JsonOption;
import dev.pedigree.cli.Main;
import dev.pedigree.cli.Progress;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.model.ModelView;
import dev.pedigree.registry.Identifier;
import dev.pedigree.registry.IdentifyOptions;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.Registry;
import dev.pedigree.registry.RegistryLocation;
import dev.pedigree.report.identify.IdentifyJson;
import dev.pedigree.report.identify.IdentifyText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

    @Option(names = "--tensors", description = "List every identical tensor under its component's summary line.")
    boolean tensors;

    @Option(names = "--timing", description = "Print how long the probe, the pre-filter and the tests took.")
    boolean timing;

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
        Path db = registry.resolve();
        boolean firstUse =
                registry.registry == null && System.getenv(RegistryLocation.ENVIRONMENT) == null && !Files.exists(db);
        Map<String, IdentifyText.ComponentTensors> components;
        Main main = Main.of(spec);
        try (Progress progress = main.progress("identify");
                Registry reg = Registry.open(db);
                ModelView v = progress.open(suspect)) {
            PrintWriter err = spec.commandLine().getErr();
            if (firstUse) {
                progress.erase(); // the notes are whole lines of their own
                importStarterPack(reg, db, err);
            }
            if (reg.size() == 0) {
                progress.erase();
                err.println("note: the registry " + db + " is empty, so identify can name no model. Fill it with"
                        + " 'pedigree registry seed PATH...' (every model and tokenizer under the paths),"
                        + " 'pedigree registry add MODEL --name NAME', or 'pedigree registry import PACK'"
                        + " (scripts/build-starter-pack.sh builds a starter pack of public models).");
                err.flush();
            }
            r = Identifier.identify(v, reg, o, progress::phase);
            components = IdentifyText.tensorsPerComponent(v);
        }
        json.write(IdentifyJson.tree(r), spec.commandLine().getOut());
        if (!json.toStdout()) {
            main.print(spec, IdentifyText.render(r, new IdentifyText.Options(components, tensors, timing)));
        }
        spec.commandLine().getOut().flush();
        return ExitCode.of(r.verdict()).code();
    }

    /** System property, then environment variable, naming the starter pack (the launcher sets the variable). */
    static final String STARTER_PACK = "PEDIGREE_STARTER_PACK";

    /**
     * First use of the default registry: imports the starter pack when one is built (the launcher builds it with
     * scripts/build-starter-pack.sh and names it in {@value #STARTER_PACK}), saying so on standard error.
     */
    private static void importStarterPack(Registry reg, Path db, PrintWriter err) throws Exception {
        String p = System.getProperty("pedigree.starterPack", System.getenv(STARTER_PACK));
        if (p == null || p.isBlank() || !Files.isRegularFile(Path.of(p))) {
            return;
        }
        Path pack = Path.of(p);
        Registry.ImportReport rep = reg.importPack(pack);
        err.println(
                "first use of the registry " + db + ": imported " + rep.added().size()
                        + " models and tokenizers from the starter pack " + pack + " (provenance in "
                        + pack.resolveSibling("provenance.json") + "; scripts/build-starter-pack.sh builds it)");
        err.flush();
    }
}
