package dev.pedigree.cli;

import dev.pedigree.attest.KeyFileException;
import dev.pedigree.attest.LedgerException;
import dev.pedigree.cli.attest.AttestCommand;
import dev.pedigree.cli.registry.FingerprintCommand;
import dev.pedigree.cli.registry.IdentifyCommand;
import dev.pedigree.cli.registry.RegistryCommand;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Printable;
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
        })
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @Option(
            names = "--quiet",
            scope = CommandLine.ScopeType.INHERIT,
            description = "No progress on standard error (shown only when it is a terminal).")
    boolean quiet;

    /** What the streams are connected to (progress, colour); set by {@link #run}. */
    Terminal terminal = Terminal.NONE;

    /** The streams beneath the escaping writers, for the escape sequences of progress and colour only. */
    PrintWriter rawOut;

    PrintWriter rawErr;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try 'pedigree --help')");
    }

    public static void main(String[] args) {
        dev.pedigree.io.StandardStreams.runAndExit((out, err) -> run(args, out, err));
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
     * {@code --verbose} at most): then the version is printed without picocli, which would first
     * register every command's options (measured: 0.45 s less CPU) and build its own model.
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
    public static int run(String[] args, PrintWriter rawOut, PrintWriter rawErr) {
        return run(args, rawOut, rawErr, Terminal.detect());
    }

    /** Runs the command line as if its streams were connected as {@code terminal} says (used by tests). */
    public static int run(String[] args, PrintWriter rawOut, PrintWriter rawErr, Terminal terminal) {
        // Nothing from an input reaches the terminal as a control sequence, whichever command prints it.
        PrintWriter out = new PrintWriter(Printable.terminal(rawOut), true);
        PrintWriter err = new PrintWriter(Printable.terminal(rawErr), true);
        if (versionOnly(args)) {
            // What picocli prints for --version, without building its command model first.
            for (String line : new Version().getVersion()) {
                out.println(line);
            }
            return ExitCode.OK.code();
        }
        Main main = new Main();
        main.terminal = terminal;
        main.rawOut = rawOut;
        main.rawErr = rawErr;
        CommandLine cl = new CommandLine(main);
        Class<?> only = subcommandFor(args);
        for (Class<?> c : SUBCOMMANDS) {
            if (only == null || c == only) {
                // A CommandLine of its own applies the command's model transformer (e.g. the report
                // format options of ReportOptions), which addSubcommand(Class) would skip.
                cl.addSubcommand(new CommandLine(c));
            }
        }
        // The exit codes follow the examples: ExitCode.helpTable(), one table, no copy here.
        List<String> footer = new java.util.ArrayList<>(List.of("", "Exit codes:"));
        footer.addAll(ExitCode.helpTable().lines().toList());
        cl.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
        Examples.apply(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            ExitCode code = classify(ex);
            err.println("error: " + Printable.escape(message(ex, inputs(commandLine))));
            if (main.verbose || code == ExitCode.INTERNAL_ERROR) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code.code();
        });
        cl.setParameterExceptionHandler((ex, arguments) -> {
            err.println("error: " + Printable.escape(ex.getMessage() + suggestion(ex)));
            err.flush();
            return ExitCode.USAGE.code();
        });
        cl.setExitCodeExceptionMapper(t -> classify(t).code());
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes Errors through; the heap the failed command held is free again by now.
            err.println("error: " + Printable.escape(message(e, inputs(cl))));
            if (main.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCode.INPUT_ERROR.code();
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * "; did you mean compare?" for a mistyped command or option (picocli's suggestions: the commands and options
     * of the command where the unknown word appeared that are close to it), or "".
     */
    static String suggestion(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> s = u.getSuggestions();
            if (!s.isEmpty()) {
                return "; did you mean " + String.join(" or ", s.subList(0, Math.min(3, s.size()))) + "?";
            }
        }
        return "";
    }

    /** The positional arguments of the command line (its inputs), for messages that have no other source. */
    static List<String> inputs(CommandLine cl) {
        List<String> in = new java.util.ArrayList<>();
        for (CommandLine.ParseResult pr = cl.getParseResult(); pr != null; pr = pr.subcommand()) {
            pr.matchedPositionals().forEach(p -> in.addAll(p.originalStringValues()));
        }
        return in;
    }

    static ExitCode classify(Throwable t) {
        return switch (t) {
            case Throwable x when outOfMemory(x) != null -> ExitCode.INPUT_ERROR;
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

    /**
     * One line for {@code t}; an OutOfMemoryError names {@code inputs} and the heap limit it hit (the exceptions of
     * inputs name their source themselves).
     */
    static String message(Throwable t, List<String> inputs) {
        OutOfMemoryError oom = outOfMemory(t);
        if (oom != null) {
            long mib = Runtime.getRuntime().maxMemory() >> 20;
            return "out of memory reading " + (inputs.isEmpty() ? "the input" : String.join(", ", inputs))
                    + ": it needs more than the Java heap limit of " + mib + " MiB (" + oom.getMessage()
                    + "); raise it with PEDIGREE_JAVA_OPTS=-Xmx<size> if the input is genuine";
        }
        return message(t);
    }

    /** The OutOfMemoryError {@code t} is or carries as a cause (from a worker thread), or null. */
    static OutOfMemoryError outOfMemory(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    static String message(Throwable t) {
        return switch (t) {
            case NoSuchFileException n ->
                n.getFile() + ": " + (n.getReason() == null ? "no such file or directory" : n.getReason());
            case AccessDeniedException a ->
                a.getFile() + ": " + (a.getReason() == null ? "permission denied" : a.getReason());
            case java.nio.file.FileSystemException f -> f.getFile() + ": " + reason(f);
            case ModelFormatException m -> m.kind() + " input: " + m.getMessage();
            case java.io.UncheckedIOException u -> message(u.getCause());
            case IOException io -> io.getMessage() == null ? io.toString() : io.getMessage();
            case CliException c -> c.getMessage();
            case LedgerException l -> l.getMessage();
            case KeyFileException k -> k.getMessage();
            default -> "internal error: " + t;
        };
    }

    /** The {@link Main} a command runs under (the root of its command line). */
    public static Main of(CommandLine.Model.CommandSpec spec) {
        if (spec.root().userObject() instanceof Main m && m.rawOut != null) {
            return m;
        }
        // A command run outside run(): no terminal, the command line's own streams.
        Main m = new Main();
        m.rawOut = spec.commandLine().getOut();
        m.rawErr = spec.commandLine().getErr();
        return m;
    }

    /** Progress of {@code command}'s long work on standard error (see {@link Progress}). */
    public Progress progress(String command) {
        return Progress.start(terminal, quiet, progressStream(), command);
    }

    /**
     * Where progress goes: standard error, or the launcher's unfiltered copy of it ({@code -Dpedigree.progress.fd=3}):
     * the launcher filters standard error line by line, which would hold back a line rewritten in place.
     */
    private PrintWriter progressStream() {
        String fd = System.getProperty("pedigree.progress.fd");
        if (fd != null && fd.matches("\\d{1,3}") && terminal.progress() && !quiet) {
            try {
                return new PrintWriter(
                        new java.io.OutputStreamWriter(
                                new java.io.FileOutputStream("/dev/fd/" + fd), java.nio.charset.StandardCharsets.UTF_8),
                        true);
            } catch (IOException e) {
                // no such descriptor: standard error it is
            }
        }
        return rawErr;
    }

    /** Prints a command's text result on standard output, verdict words coloured where {@link Terminal#colour()}. */
    public void print(CommandLine.Model.CommandSpec spec, String text) {
        PrintWriter out = spec.commandLine().getOut();
        Colour.print(out, rawOut, text, terminal.colour());
        out.flush();
    }

    /** What went wrong with a file, never just its name (a bare NotDirectoryException's message is the path). */
    static String reason(java.nio.file.FileSystemException f) {
        if (f.getReason() != null) {
            return f.getReason();
        }
        return switch (f) {
            case java.nio.file.NotDirectoryException x -> "not a directory";
            case java.nio.file.FileAlreadyExistsException x -> "already exists";
            case java.nio.file.DirectoryNotEmptyException x -> "directory not empty";
            case java.nio.file.NotLinkException x -> "not a symbolic link";
            case java.nio.file.FileSystemLoopException x -> "a loop of symbolic links";
            default -> "cannot be used (" + f.getClass().getSimpleName() + ")";
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
