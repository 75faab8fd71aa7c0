package dev.pedigree.cli;

import dev.pedigree.formats.ModelOpener;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Printable;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.inspect.Inspection;
import dev.pedigree.model.inspect.Inspector;
import dev.pedigree.report.inspect.InspectJson;
import dev.pedigree.report.inspect.InspectText;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pedigree inspect MODEL [--json FILE]}. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Show what a model file, model directory or tokenizer contains: format, architecture, components and parameters,",
            "tensor roles and content hashes, tokenizer, declared lineage claims, and whether the file was safe to read."
        })
final class InspectCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "MODEL",
            description =
                    "Weights file, Hugging Face style directory, tokenizer file, https:// URL or hf:owner/name[@revision].")
    String model;

    @Mixin
    JsonOption json;

    @Option(
            names = "--no-hashes",
            description = "Skip per-tensor content hashes in the JSON (they read the whole model).")
    boolean noHashes;

    @Option(names = "--tensors", description = "List every tensor in the terminal output.")
    boolean listTensors;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Inspection result;
        ExitCode code = ExitCode.OK;
        // The per-tensor hashes appear in the JSON only: a terminal summary (with or without --tensors) shows none,
        // so it does not pay for reading and hashing every weight twice (about half of inspect's time).
        boolean hashes = !noHashes && json.requested();
        try (Progress progress = Main.of(spec).progress("inspect");
                ModelView view = progress.open(model)) {
            progress.phase(hashes ? "hashing every tensor" : "reading");
            result = Inspector.inspect(view, hashes);
        } catch (UnsafeModelException e) {
            // The refusal is itself the finding: report it in the contract, then exit UNSAFE_INPUT.
            result = refused(e);
            code = ExitCode.UNSAFE_INPUT;
        }
        json.write(InspectJson.tree(result), spec.commandLine().getOut());
        if (!json.toStdout()) {
            spec.commandLine().getOut().print(InspectText.render(result));
            if (listTensors) {
                for (Inspection.TensorSummary t : result.tensors()) {
                    spec.commandLine()
                            .getOut()
                            .printf(
                                    "  %-60s %-6s %-18s (%s, %s, %s%s)%n",
                                    Printable.escape(t.name()),
                                    t.dtype(),
                                    java.util.Arrays.toString(t.shape()),
                                    Printable.escape(String.valueOf(t.component())),
                                    t.layer() == null ? "-" : t.layer(),
                                    t.role(),
                                    t.part().equals("weight") ? "" : ", " + t.part());
                }
            }
            spec.commandLine().getOut().flush();
        }
        if (code == ExitCode.UNSAFE_INPUT) {
            spec.commandLine()
                    .getErr()
                    .println("error: unsafe input refused: " + result.safety().detail());
        }
        return code.code();
    }

    private Inspection refused(ModelFormatException e) {
        String format;
        try {
            format = switch (ModelOpener.readerFor(Path.of(model)).name()) {
                case "safetensors" -> "safetensors";
                case "gguf" -> "gguf";
                case "onnx" -> "onnx";
                case "tokenizer" -> "tokenizer";
                default -> "pytorch";
            };
        } catch (java.io.IOException | ModelFormatException probeFailure) {
            format = "pytorch";
        }
        return new Inspection(
                model,
                format,
                null,
                0,
                List.of(),
                List.of(),
                null,
                List.of(),
                new Inspection.Safety("REFUSED", e.getMessage()),
                List.of(),
                List.of());
    }
}
