package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.testkit.MainProcess;
import dev.pedigree.testkit.RealModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json -} writes the whole document to standard output, byte for byte what {@code --json
 * FILE} writes, through a real JVM exit ({@code Main.main} in a new process, as the launcher runs it):
 * standard output once ended at the last full 8 KiB buffer (e5-small-v2's inspect JSON: 73,728 of
 * 83,862 bytes) with exit code 0. Each case is one of the largest outputs of its command.
 */
class StdoutJsonTest {
    @TempDir
    Path tmp;

    /** Runs {@code args + --json -} in a new JVM and {@code args + --json FILE} in process; both must agree. */
    private byte[] sameOnStdoutAndInFile(int minBytes, String... args) throws Exception {
        Path file = tmp.resolve("out.json");
        List<String> toFile = new ArrayList<>(List.of(args));
        toFile.addAll(List.of("--json", file.toString()));
        Cli inFile = Cli.run(toFile.toArray(String[]::new));
        List<String> toStdout = new ArrayList<>(List.of(args));
        toStdout.addAll(List.of("--json", "-"));
        MainProcess p = MainProcess.run(Main.class, tmp, toStdout.toArray(String[]::new));
        assertThat(p.exit()).as(p.stderr()).isEqualTo(inFile.exit());
        byte[] expected = Files.readAllBytes(file);
        assertThat(expected.length).as("size of the file output").isGreaterThan(minBytes);
        assertThat(normalise(p.stdout())).isEqualTo(normalise(expected));
        new ObjectMapper().readTree(p.stdout()); // one whole JSON document and nothing else
        return p.stdout();
    }

    /** Timings ({@code …_ms}) are the only values that differ between two runs. */
    private static String normalise(byte[] json) {
        return new String(json, StandardCharsets.UTF_8).replaceAll("\"(\\w+_ms)\"\\s*:\\s*[0-9.]+", "\"$1\" : 0");
    }

    @Test
    void inspectOfTheLargestRealModel() throws Exception {
        byte[] out = sameOnStdoutAndInFile(
                64 * 1024, "inspect", RealModels.onnx(RealModels.E5_SMALL_V2).toString());
        assertThat(out.length % 8192).as("not cut at a buffer boundary").isNotZero();
    }

    @Test
    void compareOfAnInt8CopyAndIdentify() throws Exception {
        String q = RealModels.directory(RealModels.E5_SMALL_V2_Q).toString();
        String fp32 = RealModels.directory(RealModels.E5_SMALL_V2).toString();
        sameOnStdoutAndInFile(16 * 1024, "compare", q, fp32, "--sample", "256");
        String db = tmp.resolve("registry.db").toString();
        Cli add = Cli.run("registry", "add", fp32, "--name", "intfloat/e5-small-v2", "--registry", db);
        assertThat(add.exit()).as(add.err()).isZero();
        sameOnStdoutAndInFile(8 * 1024, "identify", q, "--registry", db);
    }

    @Test
    void tokensWithAnAncestor() throws Exception {
        Path corpus = tmp.resolve("corpus.txt");
        Files.writeString(
                corpus,
                "The quick brown fox jumps over the lazy dog.\n中文分词的效果如何？北京欢迎你。\nPedigree reads weights.\n".repeat(50));
        String zh = RealModels.tokenizer(RealModels.BGE_SMALL_ZH_V15).toString();
        String en = RealModels.tokenizer(RealModels.BGE_SMALL_EN_V15).toString();
        sameOnStdoutAndInFile(1024, "tokens", zh, en, "--corpus", corpus.toString(), "--ancestor", en);
    }

    @Test
    void attestVerify() throws Exception {
        SimModel init = TinyTrainer.train("init", TinyTrainer.Config.DEFAULT.withSteps(0), 404, 7)
                .model();
        Path c0 = save(init, tmp.resolve("ckpt/step-000000.safetensors"));
        Path c1 = save(
                TinyTrainer.fineTune(init, TinyTrainer.Config.DEFAULT, 8, 100).model(),
                tmp.resolve("ckpt/step-000100.safetensors"));
        Path ledger = tmp.resolve("train.jsonl");
        Cli rec = Cli.run("attest", "record", "--ledger", ledger.toString(), c0.toString(), c1.toString());
        assertThat(rec.exit()).as(rec.err()).isZero();
        sameOnStdoutAndInFile(1024, "attest", "verify", ledger.toString(), "--release", c1.toString());
    }

    private static Path save(SimModel m, Path file) throws Exception {
        GoldenOutputsTest.saveCheckpoint(m, file);
        return file;
    }
}
