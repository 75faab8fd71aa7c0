package dev.pedigree.cli.attest;

import dev.pedigree.attest.Recorder;
import dev.pedigree.cli.CliException;
import dev.pedigree.cli.ExitCode;
import dev.pedigree.cli.Main;
import dev.pedigree.cli.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code attest record --ledger FILE CHECKPOINT...}: appends checkpoints to a ledger, in step order. */
@Command(
        name = "record",
        mixinStandardHelpOptions = true,
        description = {
            "Append checkpoints (files or model directories) to a training ledger: canonical model hash, sampled fingerprint (a sidecar in LEDGER.fp/), step and hash chain.",
            "Steps come from the names (step-000100, checkpoint-100, global_step100, ...) unless --step is given."
        })
public final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--ledger",
            required = true,
            paramLabel = "FILE",
            description = "The JSON Lines ledger (created if missing).")
    Path ledger;

    @Parameters(arity = "1..*", paramLabel = "CHECKPOINT", description = "Checkpoints to record.")
    List<Path> checkpoints;

    @Option(names = "--step", paramLabel = "N", description = "The step of the (single) checkpoint.")
    Long step;

    @Option(
            names = "--seed",
            paramLabel = "N",
            description = "Fingerprint seed of a new ledger (default: random; an existing ledger keeps its seed).")
    Long seed;

    @Option(
            names = "--rows",
            defaultValue = "64",
            paramLabel = "N",
            description = "Rows sampled per matrix for a new ledger (default ${DEFAULT-VALUE}).")
    int rows;

    @Option(
            names = "--columns",
            defaultValue = "512",
            paramLabel = "N",
            description = "Columns sampled per row for a new ledger (default ${DEFAULT-VALUE}).")
    int columns;

    @Option(
            names = "--threads",
            defaultValue = "4",
            paramLabel = "N",
            description = "Hashing threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (step != null && checkpoints.size() != 1) {
            throw new CliException(ExitCode.USAGE, "--step applies to a single checkpoint, not " + checkpoints.size());
        }
        if (rows < 8 || columns < 8 || threads < 1) {
            throw new CliException(ExitCode.USAGE, "--rows and --columns must be at least 8 and --threads at least 1");
        }
        List<Path> ordered = new ArrayList<>(checkpoints);
        if (step == null) {
            for (Path p : ordered) {
                if (Recorder.stepOf(p).isEmpty()) {
                    throw new CliException(
                            ExitCode.INPUT_ERROR,
                            "no step in the name " + p.getFileName()
                                    + " (expected e.g. step-000100 or checkpoint-100); give --step");
                }
            }
            ordered.sort(Comparator.comparingLong((Path p) -> stepOrMax(Recorder.stepOf(p))));
        }
        Recorder.Options o = new Recorder.Options(seed, rows, columns, threads, java.time.Clock.systemUTC());
        try (Progress progress = Main.of(spec).progress("attest record")) {
            for (Path p : ordered) {
                progress.phase("hashing and fingerprinting " + p.getFileName() + " (checkpoint "
                        + (ordered.indexOf(p) + 1) + " of " + ordered.size() + ")");
                Recorder.Recording r = Recorder.record(ledger, p, step, o);
                progress.above(() -> printRecorded(out, r));
            }
        }
        out.flush();
        return ExitCode.OK.code();
    }

    private static void printRecorded(PrintWriter out, Recorder.Recording r) {
        out.println(String.format(
                Locale.ROOT,
                "recorded entry %d step %d: model %s; fingerprint %s (%.2f%% of %s) in %.2f s (%.2f s/GB)",
                r.entry().index(),
                r.entry().step(),
                r.entry().modelHash().substring(0, 16),
                size(r.sidecarBytes()),
                100 * r.sidecarFraction(),
                size(r.checkpointBytes()),
                r.seconds(),
                r.secondsPerGb()));
        out.flush();
    }

    private static long stepOrMax(OptionalLong s) {
        return s.isPresent() ? s.getAsLong() : Long.MAX_VALUE;
    }

    static String size(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        if (b < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.2f GiB", b / 1073741824.0);
    }
}
