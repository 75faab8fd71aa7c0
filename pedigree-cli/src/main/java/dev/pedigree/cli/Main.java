package dev.pedigree.cli;

import dev.pedigree.attest.KeyFileException;
import dev.pedigree.attest.LedgerException;
import dev.pedigree.cli.attest.AttestCommand;
import dev.pedigree.cli.registry.FingerprintCommand;
import dev.pedigree.cli.registry.IdentifyCommand;
import dev.pedigree.cli.registry.RegistryCommand;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the {@code pedigree} command. */
@Command(
        name = "pedigree",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Where did this model come from, and how much of it is really yours?",
            "Pedigree reads model weights and tokenizers (safetensors, GGUF, ONNX, PyTorch, Hugging Face directories, tokenizer files)",
            "and decides from the weights themselves whether two models share lineage."
        },
        // The table under the heading is ExitCode.helpTable(), set in run(): one table, no copy here.
        footerHeading = "%nExit codes:%n")
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'pedigree --help')");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** The subcommands, in the order the help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            InspectCommand.class,
            CompareCommand.class,
            CalibrateCommand.class,
            TokensCommand.class,
            ReportCommand.class,
            FingerprintCommand.class,
            RegistryCommand.class,
            IdentifyCommand.class,
            AttestCommand.class,
            CommandLine.HelpCommand.class);

    /**
     * The one subcommand {@code args} run, or null when they name none (help, version, an unknown
     * word, an argument file, {@code --}): then every subcommand is registered, as the help and
     * picocli's suggestions list them all.
     * Registering only the one needed spares picocli reading the others' annotations, a noticeable
     * share of a one-shot command's start (measured: about 0.1 s wall, 0.2 s CPU).
     */
    static Class<?> subcommandFor(String[] args) {
        for (String a : args) {
            if (a.startsWith("@") || a.equals("--")) {
                return null; // an argument file, or the end of options (what follows is no subcommand)
            }
            if (a.startsWith("-")) {
                continue; // the top-level options take no parameter
            }
            for (Class<?> c : SUBCOMMANDS) {
                Command cmd = c.getAnnotation(Command.class);
                if (c != CommandLine.HelpCommand.class
                        && (cmd.name().equals(a) || List.of(cmd.aliases()).contains(a))) {
                    return c;
                }
            }
            return null;
        }
        return null;
    }

    /**
     * Whether {@code args} only ask for the version ({@code --version} or {@code -V}, with
     * {@code --verbose} at most): then no subcommand is registered at all, which takes {@code
     * pedigree --version} from registering every command's options (measured: 0.45 s less CPU)
     * to a bare picocli start.
     */
    static boolean versionOnly(String[] args) {
        boolean version = false;
        for (String a : args) {
            switch (a) {
                case "--version", "-V" -> version = true;
                case "--verbose" -> {}
                default -> {
                    return false;
                }
            }
        }
        return version;
    }

    /** Runs the command line and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        Class<?> only = subcommandFor(args);
        for (Class<?> c : SUBCOMMANDS) {
            if ((only == null && !versionOnly(args)) || c == only) {
                cl.addSubcommand(c);
            }
        }
        cl.getCommandSpec().usageMessage().footer(ExitCode.helpTable().lines().toArray(String[]::new));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            ExitCode code = classify(ex);
            err.println("error: " + message(ex));
            if (main.verbose || code == ExitCode.INTERNAL_ERROR) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code.code();
        });
        cl.setParameterExceptionHandler((ex, arguments) -> {
            err.println("error: " + ex.getMessage());
            err.flush();
            return ExitCode.USAGE.code();
        });
        cl.setExitCodeExceptionMapper(t -> classify(t).code());
        return cl.execute(args);
    }

    static ExitCode classify(Throwable t) {
        return switch (t) {
            case CliException c -> c.exitCode();
            case UnsafeModelException u -> ExitCode.UNSAFE_INPUT;
            case ModelFormatException m -> ExitCode.INPUT_ERROR;
            case LedgerException l -> ExitCode.INPUT_ERROR;
            case KeyFileException k -> ExitCode.INPUT_ERROR;
            case IOException io -> ExitCode.INPUT_ERROR;
            case java.io.UncheckedIOException uio -> ExitCode.INPUT_ERROR;
            default -> ExitCode.INTERNAL_ERROR;
        };
    }

    static String message(Throwable t) {
        return switch (t) {
            case NoSuchFileException n -> n.getFile() + ": no such file or directory";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            case ModelFormatException m -> m.kind() + " input: " + m.getMessage();
            case java.io.UncheckedIOException u -> message(u.getCause());
            case IOException io -> io.getMessage() == null ? io.toString() : io.getMessage();
            case CliException c -> c.getMessage();
            case LedgerException l -> l.getMessage();
            case KeyFileException k -> k.getMessage();
            default -> "internal error: " + t;
        };
    }

    /** Version from the jar manifest, or "development". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pedigree " + version()};
        }
    }

    /** Pedigree's version string. */
    public static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
