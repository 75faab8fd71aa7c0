package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.format.pytorch.PytorchWriter;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.inspect.Inspection;
import dev.pedigree.model.inspect.Inspector;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 18, files beside the weights: every loadable file of a directory is checked the way a loader would open it. A
 * file that would call a dangerous global (or any global outside the weights allowlist that is not training metadata)
 * makes the whole input unsafe, naming the file; a benign {@code training_args.bin} leaves it SAFE, and the Safety line
 * names it as not loadable weights-only.
 */
class NeighbourFilesTest {
    @TempDir
    Path dir;

    /** A small pickle writer: protocol 2, the opcodes torch.save emits for a dataclass with enum fields. */
    static final class Pickle {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Pickle op(int b) {
            out.write(b);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        Pickle str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            for (int i = 0; i < 4; i++) {
                op((b.length >>> (8 * i)) & 0xFF);
            }
            out.writeBytes(b);
            return this;
        }

        /** {@code cls(value)} as an enum member is pickled. */
        Pickle call1(String module, String name, String arg) {
            return global(module, name).str(arg).op(0x85).op('R');
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /**
     * What {@code torch.save(TrainingArguments(...))} writes into data.pkl: NEWOBJ of the class, BUILD with its state,
     * whose values are enum members; {@code payload} adds one more value, a call of {@code module.name('id')}.
     */
    static byte[] trainingArgs(String[] payload) {
        Pickle p = new Pickle().op(0x80).op(2);
        p.global("transformers.training_args", "TrainingArguments").op(')').op(0x81);
        p.op('}').op('(');
        p.str("output_dir").str("out");
        p.str("eval_strategy").call1("transformers.trainer_utils", "IntervalStrategy", "steps");
        p.str("optim").call1("transformers.training_args", "OptimizerNames", "adamw_torch");
        if (payload != null) {
            p.str("x").call1(payload[0], payload[1], "id");
        }
        p.op('u').op('b').op('.');
        return PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("archive/data.pkl", p.bytes(), false),
                        new PytorchWriter.ZipRecord(
                                "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII), false)),
                false);
    }

    private Path folder() throws Exception {
        new SafetensorsWriter()
                .add("model.embed_tokens.weight", DType.F32, Shape.of(4, 2), new float[8])
                .write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\nthe\ncat\n");
        return dir;
    }

    @Test
    void aBenignTrainingArgsBinIsSafeAndNamedAsNotWeightsOnly() throws Exception {
        Files.write(folder().resolve("training_args.bin"), trainingArgs(null));
        try (ModelView v = ModelOpener.open(dir)) {
            Inspection in = Inspector.inspect(v, false);
            assertThat(in.safety().status()).isEqualTo("SAFE");
            assertThat(in.safety().detail())
                    .contains("not loadable weights-only")
                    .contains("training_args.bin")
                    .contains("transformers.training_args.TrainingArguments")
                    .contains("transformers.trainer_utils.IntervalStrategy");
        }
    }

    @Test
    void aFolderWithNothingBesideTheWeightsSaysPlainSafe() throws Exception {
        try (ModelView v = ModelOpener.open(folder())) {
            assertThat(Inspector.inspect(v, false).safety().detail())
                    .isEqualTo("read through a bounded, non-executing parser");
        }
    }

    /** Dangerous globals, and globals that are merely unknown, in each file a loader would open beside the weights. */
    @ParameterizedTest
    @CsvSource({
        "training_args.bin, posix, system",
        "training_args.bin, os, system",
        "training_args.bin, builtins, eval",
        "training_args.bin, builtins, getattr",
        "training_args.bin, subprocess, Popen",
        "training_args.bin, mypkg.evil, Thing",
        "training_args.bin, transformers, pipeline",
        "training_args.bin, transformers.training_args, TrainingArguments.__init__",
        "adapter_model.bin, builtins, exec",
        "pytorch_model.bin, os, system",
        "optimizer.pt, builtins, __import__",
        "rng_state.pth, runpy, _run_code",
        "extra.pkl, webbrowser, open"
    })
    void aMaliciousFileBesideSafeWeightsMakesTheInputUnsafe(String file, String module, String name) throws Exception {
        Path f = folder().resolve(file);
        Files.write(f, trainingArgs(new String[] {module, name}));
        assertThatThrownBy(() -> ModelOpener.open(dir).close())
                .isInstanceOfSatisfying(UnsafeModelException.class, e -> {
                    assertThat(e.source()).isEqualTo(f.toString());
                    assertThat(e.getMessage()).contains(module + "." + name).contains("offset");
                });
    }

    /** The same payload as a plain (not zipped) pickle, as pickle.load and torch's legacy loader read it. */
    @Test
    void aPlainPickleBesideTheWeightsIsScannedToo() throws Exception {
        Pickle p = new Pickle()
                .op(0x80)
                .op(2)
                .call1("os", "system", "touch /tmp/pwned")
                .op('.');
        Path f = folder().resolve("adapter_model.bin");
        Files.write(f, p.bytes());
        assertThatThrownBy(() -> ModelOpener.open(dir).close())
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining("adapter_model.bin")
                .hasMessageContaining("os.system");
    }

    /** A pickle the restricted interpreter cannot finish cannot be vouched for: refused, not skipped. */
    @Test
    void aPickleBesideTheWeightsThatCannotBeCheckedIsRefused() throws Exception {
        byte[] b = trainingArgs(null);
        Path f = folder().resolve("training_args.bin");
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 40));
        assertThatThrownBy(() -> ModelOpener.open(dir).close())
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining("training_args.bin")
                .hasMessageContaining("cannot be checked");
    }
}
