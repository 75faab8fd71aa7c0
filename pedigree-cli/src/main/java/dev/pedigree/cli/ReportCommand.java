package dev.pedigree.cli;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.ReportFormat;
import dev.pedigree.report.bom.BomContext;
import dev.pedigree.report.compare.CompareJsonReader;
import dev.pedigree.report.compare.ResultFormatException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pedigree report RESULT.json [--html FILE] [--markdown FILE] [--cyclonedx FILE] [--json FILE]}. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        modelTransformer = ReportOptions.class,
        description = "Render a saved compare result (JSON) as HTML, Markdown or a CycloneDX ML-BOM.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULT.json", description = "A result written by 'pedigree compare --json'.")
    Path result;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Map<ReportFormat, Path> outputs = ReportOptions.requested(spec);
        if (outputs.isEmpty()) {
            throw new CliException(
                    ExitCode.USAGE,
                    "nothing to write: give "
                            + Stream.of(ReportFormat.values())
                                    .map(ReportFormat::option)
                                    .collect(Collectors.joining(", "))
                            + " (one or more)");
        }
        ComparisonResult r;
        try {
            r = CompareJsonReader.read(result);
        } catch (ResultFormatException e) {
            throw new CliException(ExitCode.INPUT_ERROR, e.getMessage(), e);
        }
        ReportContext ctx = ReportContext.builder()
                .pedigreeVersion(Main.version())
                .commandLine("pedigree report " + result)
                .build();
        BomContext bom = BomContext.of(
                ctx, r.suspect().source(), r.reference().source(), r.reference().source());
        ReportOptions.write(outputs, r, ctx, bom, spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return ExitCode.OK.code();
    }
}
