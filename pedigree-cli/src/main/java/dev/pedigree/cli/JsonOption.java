package dev.pedigree.cli;

import dev.pedigree.report.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code --json FILE} convention shared by the commands: a path writes the JSON there, and
 * {@code -} writes it to standard output instead of the terminal summary.
 */
public final class JsonOption {
    private JsonOption() {}

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
