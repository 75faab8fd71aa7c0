package dev.pedigree.cli.registry;

import dev.pedigree.cli.ExitCode;
import dev.pedigree.cli.Main;
import dev.pedigree.cli.Progress;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.model.ModelView;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pedigree fingerprint MODEL -o FILE [--units K] [--anchors T]}: writes a portable fingerprint file. */
@Command(
        name = "fingerprint",
        mixinStandardHelpOptions = true,
        description = {
            "Write MODEL's fingerprint: seeded row/column samples of every tensor, embedding rows of anchor tokens, the tokenizer",
            "and content hashes of every tensor; compact (under 2%% of the model, under 50 MB), deterministic and versioned.",
            "Compare a suspect against it as against the full model (identify, registry)."
        })
public final class FingerprintCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "MODEL",
            description = "Model or tokenizer (file, directory, URL or hf:owner/name).")
    String model;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            required = true,
            description = "Fingerprint file to write.")
    Path output;

    @Option(
            names = "--units",
            paramLabel = "K",
            defaultValue = "0",
            description = "Indices kept per dimension (0: automatic, largest of 256/128/64 within the budget).")
    int units;

    @Option(
            names = "--anchors",
            paramLabel = "T",
            defaultValue = "1024",
            description = "Anchor tokens whose embedding rows are kept (default: ${DEFAULT-VALUE}).")
    int anchors;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (units != 0 && units < 8) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--units must be 0 or at least 8, got " + units);
        }
        if (anchors < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--anchors must not be negative");
        }
        Fingerprint fp;
        try (Progress progress = Main.of(spec).progress("fingerprint");
                ModelView v = progress.open(model)) {
            progress.phase("fingerprinting");
            fp = Fingerprint.of(v, FingerprintOptions.DEFAULT.withUnits(units).withAnchorTokens(anchors));
        }
        fp.write(output);
        long size = Files.size(output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "%s: %d tensors, %d regular tokens, %d anchors, %d indices per dimension%n",
                output,
                fp.tensors().size(),
                fp.regularKeys().size(),
                fp.anchors().length,
                fp.units());
        out.printf(
                Locale.ROOT,
                "size %,d bytes = %.2f%% of the model's %,d stored bytes; sha256 %s%n",
                size,
                fp.modelBytes() == 0 ? 0 : 100.0 * size / fp.modelBytes(),
                fp.modelBytes(),
                fp.sha256());
        out.flush();
        return ExitCode.OK.code();
    }
}
