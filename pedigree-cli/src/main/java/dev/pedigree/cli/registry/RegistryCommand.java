package dev.pedigree.cli.registry;

import dev.pedigree.cli.ExitCode;
import dev.pedigree.cli.Main;
import dev.pedigree.cli.Progress;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.model.ModelView;
import dev.pedigree.registry.ModelMetadata;
import dev.pedigree.registry.Registry;
import dev.pedigree.registry.RegistryEntry;
import dev.pedigree.registry.RegistryException;
import dev.pedigree.registry.RegistrySeeder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pedigree registry add|list|show|remove|export|import|seed}: the embedded registry of known
 * models. Every subcommand takes {@code --registry DB} (else {@code PEDIGREE_REGISTRY}, else
 * {@code ~/.local/share/pedigree/registry.db}). Exit codes ({@link ExitCode}): OK, USAGE, INPUT_ERROR (including
 * an unknown or duplicate name and a pack whose hashes do not match).
 */
@Command(
        name = "registry",
        mixinStandardHelpOptions = true,
        description = "Manage the registry of known models (an embedded SQLite file; nothing to install or start).",
        subcommands = {
            RegistryCommand.Add.class,
            RegistryCommand.ListModels.class,
            RegistryCommand.Show.class,
            RegistryCommand.Remove.class,
            RegistryCommand.Export.class,
            RegistryCommand.Import.class,
            RegistryCommand.Seed.class
        })
public final class RegistryCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing subcommand (add, list, show, remove, export, import, seed)");
    }

    /**
     * What every registry subcommand shares: the {@code --registry} option, opening the registry, writing to the
     * command's output and answering {@link ExitCode#OK} (errors are thrown to {@code Main}'s one handler).
     */
    abstract static class RegistryAction implements Callable<Integer> {
        @Mixin
        RegistryOption registry;

        @Spec
        CommandLine.Model.CommandSpec spec;

        /**
         * Progress of the work on a terminal's standard error (see {@link Progress}); the outcome printed to
         * {@code out} appears once it has been erased.
         */
        Progress progress;

        /** Does the work on the open registry and prints its outcome to {@code out}. */
        abstract void run(Registry reg, PrintWriter out) throws Exception;

        /** Checks the options before the registry is opened (throw a ParameterException for a usage error). */
        void check() {}

        @Override
        public final Integer call() throws Exception {
            check();
            PrintWriter out = spec.commandLine().getOut();
            StringWriter outcome = new StringWriter();
            try (Progress p = Main.of(spec).progress(spec.qualifiedName().replaceFirst("^\\S+ ", ""));
                    Registry reg = Registry.open(registry.resolve())) {
                progress = p;
                run(reg, new PrintWriter(outcome));
            } finally {
                // after the progress line is gone (and whatever was printed before a failure)
                out.print(outcome);
                out.flush();
            }
            return ExitCode.OK.code();
        }
    }

    /** {@code registry add MODEL --name NAME [--license L] [--organisation O] [--revision R] [--parent P]...}. */
    @Command(name = "add", mixinStandardHelpOptions = true, description = "Fingerprint MODEL and add it under NAME.")
    public static final class Add extends RegistryAction {
        @Parameters(index = "0", paramLabel = "MODEL", description = "Model or tokenizer to add.")
        String model;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Unique name in the registry.")
        String name;

        @Option(names = "--license", paramLabel = "L", description = "Licence (SPDX identifier where possible).")
        String license;

        @Option(names = "--organisation", paramLabel = "O", description = "Publisher.")
        String organisation;

        @Option(names = "--revision", paramLabel = "R", description = "Version, commit or tag.")
        String revision;

        @Option(names = "--parent", paramLabel = "P", description = "Declared parent model (repeatable).")
        List<String> parents = new ArrayList<>();

        @Option(
                names = "--units",
                paramLabel = "K",
                defaultValue = "0",
                description = "Indices kept per dimension (0: automatic).")
        int units;

        private ModelMetadata meta;

        @Override
        void check() {
            try {
                meta = new ModelMetadata(name, organisation, license, revision, parents);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            if (units != 0 && units < 8) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--units must be 0 or at least 8, got " + units);
            }
        }

        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            RegistryEntry e;
            try (ModelView v = progress.open(model)) {
                if (reg.find(name).isPresent()) {
                    throw new RegistryException(
                            "a model named '" + name + "' is already in registry " + reg.path() + "; remove it first");
                }
                progress.phase("fingerprinting " + name);
                Fingerprint fp = Fingerprint.of(v, FingerprintOptions.DEFAULT.withUnits(units));
                progress.phase("adding " + name + " to the registry");
                e = reg.add(fp, meta);
            }
            out.printf(
                    Locale.ROOT,
                    "added %s (%,d parameters, %d tensors, fingerprint %,d bytes)%n",
                    e.name(),
                    e.parameters(),
                    e.tensors(),
                    e.fingerprintBytes());
        }
    }

    /** {@code registry list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered models.")
    public static final class ListModels extends RegistryAction {
        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            List<RegistryEntry> all = reg.list();
            out.printf(
                    Locale.ROOT,
                    "%-36s %-14s %15s %6s %6s %7s %-12s%n",
                    "name",
                    "architecture",
                    "parameters",
                    "width",
                    "layers",
                    "vocab",
                    "license");
            for (RegistryEntry e : all) {
                out.printf(
                        Locale.ROOT,
                        "%-36s %-14s %,15d %6d %6d %7d %-12s%n",
                        e.name(),
                        e.architecture() == null ? "-" : e.architecture(),
                        e.parameters(),
                        e.residualWidth(),
                        e.layers(),
                        e.vocabularySize(),
                        e.metadata().license() == null ? "-" : e.metadata().license());
            }
            out.printf(Locale.ROOT, "%d model%s in %s%n", all.size(), all.size() == 1 ? "" : "s", reg.path());
        }
    }

    /** {@code registry show NAME}. */
    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one model's metadata and fingerprint summary.")
    public static final class Show extends RegistryAction {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            RegistryEntry e = reg.find(name)
                    .orElseThrow(
                            () -> new RegistryException("no model named '" + name + "' in registry " + reg.path()));
            Fingerprint fp = reg.fingerprint(name);
            out.printf(Locale.ROOT, "name            %s%n", e.name());
            out.printf(Locale.ROOT, "organisation    %s%n", orDash(e.metadata().organisation()));
            out.printf(Locale.ROOT, "license         %s%n", orDash(e.metadata().license()));
            out.printf(Locale.ROOT, "revision        %s%n", orDash(e.metadata().revision()));
            out.printf(
                    Locale.ROOT,
                    "parents         %s%n",
                    e.metadata().parents().isEmpty()
                            ? "-"
                            : String.join(", ", e.metadata().parents()));
            out.printf(Locale.ROOT, "architecture    %s (%s)%n", orDash(e.architecture()), e.format());
            out.printf(Locale.ROOT, "parameters      %,d%n", e.parameters());
            out.printf(Locale.ROOT, "width / layers  %d / %d%n", e.residualWidth(), e.layers());
            out.printf(
                    Locale.ROOT,
                    "tokenizer       %s, %d entries, %d regular%n",
                    fp.tokenizerType() == null ? "none" : fp.tokenizerType().jsonName(),
                    fp.vocabularySize(),
                    fp.regularKeys().size());
            out.printf(Locale.ROOT, "source          %s%n", e.source());
            out.printf(
                    Locale.ROOT,
                    "fingerprint     %,d bytes (%.2f%% of %,d model bytes), %d tensors, %d indices per dimension, %d anchors%n",
                    e.fingerprintBytes(),
                    e.modelBytes() == 0 ? 0 : 100.0 * e.fingerprintBytes() / e.modelBytes(),
                    e.modelBytes(),
                    e.tensors(),
                    fp.units(),
                    fp.anchors().length);
            out.printf(Locale.ROOT, "sha256          %s%n", e.fingerprintSha256());
        }

        private static String orDash(String s) {
            return s == null ? "-" : s;
        }
    }

    /** {@code registry remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a model.")
    public static final class Remove extends RegistryAction {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            if (!reg.remove(name)) {
                throw new RegistryException("no model named '" + name + "' in registry " + reg.path());
            }
            out.println("removed " + name);
        }
    }

    /** {@code registry export FILE}. */
    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Write every model to a portable pack (zip: manifest with sha256 per entry + fingerprints).")
    public static final class Export extends RegistryAction {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            progress.phase("writing " + reg.size() + " fingerprints to " + file.getFileName());
            reg.exportPack(file);
            int n = reg.size();
            out.printf(Locale.ROOT, "exported %d model%s to %s%n", n, n == 1 ? "" : "s", file);
        }
    }

    /** {@code registry import FILE}. */
    @Command(
            name = "import",
            mixinStandardHelpOptions = true,
            description = "Import a pack; every hash is checked first and a mismatch refuses the whole pack.")
    public static final class Import extends RegistryAction {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            progress.phase("importing " + file.getFileName() + " (every entry's hash is checked first)");
            Registry.ImportReport r = reg.importPack(file);
            out.printf(
                    Locale.ROOT,
                    "imported %d model%s, %d already present%n",
                    r.added().size(),
                    r.added().size() == 1 ? "" : "s",
                    r.skipped().size());
        }
    }

    /** {@code registry seed PATH...}. */
    @Command(
            name = "seed",
            mixinStandardHelpOptions = true,
            description = {
                "Add every model and tokenizer found at PATH (files, model directories, or directories searched 3 deep);",
                "names come from file names; models already present are skipped."
            })
    public static final class Seed extends RegistryAction {
        @Parameters(paramLabel = "PATH", arity = "1..*")
        List<Path> paths;

        @Override
        void run(Registry reg, PrintWriter out) throws Exception {
            progress.phase("looking for models under " + paths.size() + " path" + (paths.size() == 1 ? "" : "s"));
            List<RegistrySeeder.Outcome> res =
                    RegistrySeeder.seed(reg, paths, FingerprintOptions.DEFAULT, progress::phase);
            int added = 0;
            for (RegistrySeeder.Outcome o : res) {
                out.printf(
                        Locale.ROOT,
                        "%-16s %-36s %s%n",
                        o.status().name().toLowerCase(Locale.ROOT),
                        o.name(),
                        o.detail());
                added += o.status() == RegistrySeeder.Status.ADDED ? 1 : 0;
            }
            out.printf(Locale.ROOT, "%d added of %d found%n", added, res.size());
        }
    }
}
