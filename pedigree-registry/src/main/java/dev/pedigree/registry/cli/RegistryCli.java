package dev.pedigree.registry.cli;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A stand-alone entry point for this module's commands ({@code registry}, {@code identify},
 * {@code fingerprint}), e.g. {@code java -cp … dev.pedigree.registry.cli.RegistryCli registry seed
 * PATH…} from a demo script. The main {@code pedigree} command registers the same command
 * classes. Exit codes: 0 OK, 1 internal error, 2 usage, 3 input error, 10/11/12 from identify.
 */
@Command(
        name = "pedigree",
        mixinStandardHelpOptions = true,
        subcommands = {RegistryCommand.class, IdentifyCommand.class, FingerprintCommand.class})
public final class RegistryCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "missing command (registry, identify, fingerprint)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new RegistryCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, c, p) -> {
            int code = ex instanceof ModelFormatException
                            || ex instanceof IOException
                            || ex instanceof java.io.UncheckedIOException
                    ? 3
                    : 1;
            String msg = ex instanceof NoSuchFileException n
                    ? n.getFile() + ": no such file or directory"
                    : ex instanceof ModelFormatException m
                            ? m.kind() + " input: " + m.getMessage()
                            : String.valueOf(ex.getMessage());
            err.println("error: " + msg);
            if (code == 1) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            err.flush();
            return 2;
        });
        return cl.execute(args);
    }
}
