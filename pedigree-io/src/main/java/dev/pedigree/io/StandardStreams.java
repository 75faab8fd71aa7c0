package dev.pedigree.io;

import java.io.PrintWriter;
import java.util.function.ToIntBiFunction;

/**
 * Standard output and error for a command-line entry point, flushed before the JVM exits.
 *
 * <p>{@code new PrintWriter(System.out, true)} flushes only on {@code println}, {@code printf} and
 * {@code format}: text written with {@code print} or {@code write} (a whole JSON document, for
 * {@code --json -}) waits in the writer's 8 KiB buffer, and {@link System#exit} does not flush it, so
 * standard output used to end at a multiple of 8 KiB with exit code 0. Every {@code main} goes through
 * {@link #runAndExit}, which flushes both writers and turns a failed write to standard output (a
 * closed pipe, a full disk) into a non-zero exit with a message, instead of a silent truncation.
 */
public final class StandardStreams {
    /** Exit code when standard output could not be written (Pedigree's input/output error). */
    public static final int OUTPUT_ERROR = 3;

    private StandardStreams() {}

    /**
     * Runs {@code command} with writers on standard output and error, flushes them and exits with
     * the command's code ({@link #OUTPUT_ERROR} if standard output failed). Does not return.
     */
    public static void runAndExit(ToIntBiFunction<PrintWriter, PrintWriter> command) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = command.applyAsInt(out, err);
        System.exit(finish(code, out, err));
    }

    /**
     * Flushes both writers and returns the exit code: {@code code}, or {@link #OUTPUT_ERROR} (with a
     * line on {@code err}) when writing to {@code out} failed.
     */
    public static int finish(int code, PrintWriter out, PrintWriter err) {
        out.flush();
        if (out.checkError()) {
            err.println("error: standard output could not be written completely (closed pipe or full disk?)");
            err.flush();
            return OUTPUT_ERROR;
        }
        err.flush();
        return code;
    }
}
