package dev.pedigree.cli;

import dev.pedigree.forensics.calibrate.CalibrationReport;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pedigree calibrate}: the calibration report of the lineage tests. */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Run the lineage tests on many independent model pairs (p-values should be uniform, no false SHARED_LINEAGE) and on",
            "simulated derivatives of increasing strength (where detection stops). Prints the report."
        })
final class CalibrateCommand implements Callable<Integer> {
    @Option(
            names = "--pairs",
            defaultValue = "1000",
            description = "Independent random-initialisation pairs (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(
            names = "--trained-pairs",
            defaultValue = "100",
            description =
                    "Independent pairs of tiny models trained from different seeds on the same data (default: ${DEFAULT-VALUE}).")
    int trainedPairs;

    @Option(
            names = "--larger-trained-pairs",
            defaultValue = "20",
            description =
                    "Independent pairs of larger models (vocabulary 512, width 64, MLP 256, Adam) trained from different seeds on the same data (default: ${DEFAULT-VALUE}).")
    int largerTrainedPairs;

    @Option(
            names = "--largest-trained-pairs",
            defaultValue = "2",
            description =
                    "Independent pairs of the largest models (vocabulary 2,048, width 128, MLP 512, two blocks, Adam) trained from different seeds on the same data; about a minute of CPU each (default: ${DEFAULT-VALUE}).")
    int largestTrainedPairs;

    @Option(
            names = "--replicates",
            defaultValue = "4",
            description = "Trials per transformation and strength (default: ${DEFAULT-VALUE}).")
    int replicates;

    @Option(names = "--seed", defaultValue = "20240601", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (pairs < 1 || trainedPairs < 0 || largerTrainedPairs < 0 || largestTrainedPairs < 0 || replicates < 1) {
            throw new CliException(
                    ExitCode.USAGE,
                    "--pairs and --replicates must be positive, --trained-pairs, --larger-trained-pairs and --largest-trained-pairs non-negative");
        }
        CalibrationReport.Config c = new CalibrationReport.Config(
                pairs,
                trainedPairs,
                replicates,
                seed,
                CalibrationReport.Config.DEFAULT.model(),
                largerTrainedPairs,
                largestTrainedPairs);
        spec.commandLine().getOut().flush();
        PrintStream out =
                new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8);
        CalibrationReport.Result r;
        try (Progress progress = Main.of(spec).progress("calibrate")) {
            r = CalibrationReport.run(c, null, progress::phase);
        }
        CalibrationReport.print(r, out);
        return ExitCode.OK.code();
    }
}

/** Bridges the report's PrintStream to picocli's writer (so tests capture it). */
final class WriterOutputStream extends java.io.OutputStream {
    private final java.io.PrintWriter w;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    WriterOutputStream(java.io.PrintWriter w) {
        this.w = w;
    }

    @Override
    public void write(int b) {
        line.write(b);
        if (b == '\n') {
            flush();
        }
    }

    @Override
    public void flush() {
        w.print(line.toString(StandardCharsets.UTF_8));
        w.flush();
        line.reset();
    }
}
