package dev.pedigree.cli;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.compare.CompareJsonReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code pedigree report RESULT.json [--html FILE] [--markdown FILE] [--cyclonedx FILE]}. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Render a saved compare result (JSON) as HTML, Markdown or a CycloneDX ML-BOM.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RESULT.json", description = "A result written by 'pedigree compare --json'.")
    Path result;

    @Option(names = "--html", paramLabel = "FILE")
    Path html;

    @Option(names = "--markdown", paramLabel = "FILE")
    Path markdown;

    @Option(names = "--cyclonedx", paramLabel = "FILE")
    Path cyclonedx;

    @Override
    public Integer call() throws Exception {
        if (html == null && markdown == null && cyclonedx == null) {
            throw new CliException(ExitCode.USAGE, "nothing to write: give --html, --markdown and/or --cyclonedx");
        }
        ComparisonResult r;
        try {
            r = CompareJsonReader.read(result);
        } catch (dev.pedigree.report.compare.ResultFormatException e) {
            throw new CliException(ExitCode.INPUT_ERROR, e.getMessage(), e);
        }
        ReportContext ctx = ReportContext.builder()
                .pedigreeVersion(Main.version())
                .commandLine("pedigree report " + result)
                .build();
        ReportOutputs.writeAll(
                r,
                ctx,
                ReportOutputs.bom(
                        ctx,
                        r.suspect().source(),
                        r.reference().source(),
                        r.reference().source()),
                html,
                markdown,
                cyclonedx);
        return ExitCode.OK.code();
    }
}
