package dev.pedigree.cli;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.ReportFormat;
import dev.pedigree.report.bom.BomContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The report-format options of a command that renders a comparison ({@code compare}, {@code
 * report}): one {@code OPTION FILE} per {@link ReportFormat}, added to the command's model by
 * {@code @Command(modelTransformer = ReportOptions.class)}. {@code FILE} {@code -} writes to
 * standard output instead of the terminal summary.
 */
final class ReportOptions implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
        for (ReportFormat f : ReportFormat.values()) {
            spec.addOption(OptionSpec.builder(f.option())
                    .paramLabel("FILE")
                    .type(Path.class)
                    .description(f.description())
                    .build());
        }
        return spec;
    }

    /** The formats the command line asks for, with their destinations, in {@link ReportFormat} order. */
    static Map<ReportFormat, Path> requested(CommandSpec spec) {
        Map<ReportFormat, Path> out = new EnumMap<>(ReportFormat.class);
        for (ReportFormat f : ReportFormat.values()) {
            Path p = spec.findOption(f.option()).getValue();
            if (p != null) {
                out.put(f, p);
            }
        }
        return out;
    }

    /** Whether one of {@code requested} goes to standard output (then no terminal summary is printed). */
    static boolean toStdout(Map<ReportFormat, Path> requested) {
        return requested.values().stream().anyMatch(JsonOption::toStdout);
    }

    /** Renders and writes every requested format (parent folders are created). */
    static void write(
            Map<ReportFormat, Path> requested, ComparisonResult r, ReportContext ctx, BomContext bom, PrintWriter out)
            throws IOException {
        for (Map.Entry<ReportFormat, Path> e : requested.entrySet()) {
            String text = e.getKey().render(r, ctx, bom);
            Path file = e.getValue();
            if (JsonOption.toStdout(file)) {
                out.print(text);
                continue;
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
    }
}
