package dev.pedigree.cli;

import dev.pedigree.report.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The shared {@code --json FILE} option (a picocli mixin: {@code @Mixin JsonOption json}) of the
 * commands that print a summary and can write their result as JSON ({@code inspect}, {@code
 * identify}, {@code tokens}): a path writes the JSON there, and {@code -} writes it to standard
 * output instead of the terminal summary. The static helpers keep the same convention for options
 * declared elsewhere (the report formats of {@code compare} and {@code report}).
 */
public final class JsonOption {
    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Write the result as JSON to FILE ('-' for standard output instead of the summary).")
    Path file;

    /** Whether {@code --json} was given (to a file or to standard output). */
    public boolean requested() {
        return file != null;
    }

    /** Whether the JSON goes to standard output (so no terminal summary is printed). */
    public boolean toStdout() {
        return toStdout(file);
    }

    /** Writes {@code tree} where the option says; does nothing when it was not given. */
    public void write(Map<String, ?> tree, PrintWriter out) throws IOException {
        write(tree, file, out);
    }

    /** Whether {@code json} sends the JSON to standard output (so no terminal summary is printed). */
    public static boolean toStdout(Path json) {
        return json != null && json.toString().equals("-");
    }

    /** Writes {@code tree} where {@code json} says; does nothing when {@code json} is null. */
    public static void write(Map<String, ?> tree, Path json, PrintWriter out) throws IOException {
        if (json == null) {
            return;
        }
        if (toStdout(json)) {
            out.print(Json.write(tree));
        } else {
            Json.write(tree, json);
        }
    }
}
