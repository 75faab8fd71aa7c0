package dev.pedigree.census.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pedigree.census.index.LineageIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code census query}: answers from the SQLite lineage index, without Spark. */
@Command(
        name = "query",
        description =
                "Descendants, ancestors or family of a model in one component, from the lineage index (no Spark).")
final class QueryCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", description = "census directory (its lineage.db)")
    Path out;

    @Option(names = "--index", description = "a lineage index file (instead of --out)")
    Path index;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Question question;

    static final class Question {
        @Option(names = "--descendants", description = "every model derived from NAME")
        String descendants;

        @Option(names = "--ancestors", description = "the chain of parents of NAME")
        String ancestors;

        @Option(names = "--family", description = "every member of NAME's family")
        String family;
    }

    @Option(
            names = "--component",
            defaultValue = "text",
            description = "text, vision, audio or experts; default ${DEFAULT-VALUE}")
    String component;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "also write the answer as JSON to FILE; - writes only the JSON, to standard output")
    Path json;

    @Override
    public Integer call() throws Exception {
        if ((out == null) == (index == null)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "give exactly one of --out and --index");
        }
        Path file = index != null ? index : out.resolve("lineage.db");
        String name = question.descendants != null
                ? question.descendants
                : question.ancestors != null ? question.ancestors : question.family;
        String kind =
                question.descendants != null ? "descendants" : question.ancestors != null ? "ancestors" : "family";
        long t0 = System.nanoTime();
        List<LineageIndex.Relative> rows;
        double openMs;
        try (LineageIndex idx = LineageIndex.open(file)) {
            // Opening includes loading SQLite's native library (seconds on a cold, loaded machine): timed apart.
            openMs = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            if (!idx.knows(name)) {
                throw new IOException(file + ": the census has no model " + name);
            }
            rows = switch (kind) {
                case "descendants" -> idx.descendants(name, component);
                case "ancestors" -> idx.ancestors(name, component);
                default -> idx.family(name, component);
            };
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        PrintWriter o = spec.commandLine().getOut();
        boolean toStdout = json != null && json.toString().equals("-");
        if (!toStdout) {
            printRows(o, kind, name, rows, ms, openMs);
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("schema", "pedigree/census-query/v1");
            doc.put("question", kind);
            doc.put("model", name);
            doc.put("component", component);
            doc.put("models", rows);
            String text = new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(doc) + "\n";
            if (toStdout) {
                o.print(text);
                o.flush();
            } else {
                java.nio.file.Files.writeString(json, text, java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return 0;
    }

    private void printRows(
            PrintWriter o, String kind, String name, List<LineageIndex.Relative> rows, double ms, double openMs) {
        o.printf(
                Locale.ROOT,
                "%s of %s in component %s: %d (query %.1f ms; index opened in %.0f ms)%n",
                kind,
                name,
                component,
                rows.size(),
                ms,
                openMs);
        for (LineageIndex.Relative r : rows) {
            o.printf(
                    Locale.ROOT,
                    "  %-40s depth %d  parent %-30s (%s)%n",
                    r.modelId(),
                    r.depth(),
                    r.parentId() == null ? "-" : r.parentId(),
                    r.how());
        }
    }
}
