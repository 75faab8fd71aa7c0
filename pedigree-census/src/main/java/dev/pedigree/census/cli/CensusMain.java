package dev.pedigree.census.cli;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code pedigree census …} (the launcher starts it with the census class path, so
 * no other command loads Spark) and of the cluster job ({@code spark-submit --class
 * dev.pedigree.census.cli.CensusMain}). Exit codes are Pedigree's: 0 OK, 1 internal error, 2 usage,
 * 3 input error (an unreadable hub, output or index). Errors print one line; {@code --verbose}
 * adds the stack trace.
 */
@Command(
        name = "census",
        mixinStandardHelpOptions = true,
        description = "The lineage map of a whole model hub, on Apache Spark (in-process local[*] by default).",
        subcommands = {
            SimCommand.class,
            BuildCommand.class,
            UpdateCommand.class,
            QueryCommand.class,
            ExportCommand.class,
            CostCommand.class
        })
public final class CensusMain implements Runnable {
    /** Exit code of an input error, as in Pedigree's other commands. */
    public static final int INPUT_ERROR = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        dev.pedigree.io.StandardStreams.runAndExit((out, err) -> run(args, out, err));
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        String[] rest = java.util.Arrays.stream(args)
                .filter(a -> !a.equals("--verbose"))
                .toArray(String[]::new);
        CommandLine cl = new CommandLine(new CensusMain());
        cl.setOut(out).setErr(err);
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            if (verbose) {
                e.printStackTrace(err);
            }
            if (e instanceof IOException
                    || e instanceof ModelFormatException
                    || e instanceof java.io.UncheckedIOException) {
                err.println("error: " + e.getMessage());
                return INPUT_ERROR;
            }
            err.println("error: internal error (" + e + "); rerun with --verbose and report it");
            return 1;
        });
        return dev.pedigree.io.StandardStreams.finish(cl.execute(rest), out, err);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
