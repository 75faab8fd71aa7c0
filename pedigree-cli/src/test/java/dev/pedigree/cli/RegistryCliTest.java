package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.testkit.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of the registry, identify and fingerprint commands through {@link Main#run}: exit codes and output. */
class RegistryCliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        Cli r = Cli.run(args);
        return new Run(r.exit(), r.out(), r.err());
    }

    @Test
    void fullWorkflow(@TempDir Path dir) throws Exception {
        String db = dir.resolve("reg.db").toString();
        String minilm = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString();
        String minilmQ = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString();
        String zh = RealModels.directory(RealModels.BGE_SMALL_ZH_V15).toString();

        // Empty registry: nothing to compare with, inconclusive.
        Run empty = run("identify", minilm, "--registry", db);
        assertThat(empty.code()).as(empty.err()).isEqualTo(12);
        assertThat(empty.out())
                .contains("No registry model could be compared with the suspect: 0 registry models were searched")
                .contains("its residual width (384)");

        Run fp = run("fingerprint", minilm, "-o", dir.resolve("minilm.pfp").toString());
        assertThat(fp.code()).as(fp.err()).isZero();
        assertThat(fp.out()).contains("% of the model");
        assertThat(Files.size(dir.resolve("minilm.pfp")))
                .isLessThan((long) (0.02 * Files.size(RealModels.onnx(RealModels.ALL_MINILM_L6_V2))));

        Run addZh = run("registry", "add", zh, "--name", "bge-small-zh-v1.5", "--license", "MIT", "--registry", db);
        assertThat(addZh.code()).as(addZh.err()).isZero();
        // bge-small-zh is 512 wide: no weight test applies to the 384-wide MiniLM, so identify stays inconclusive.
        Run undecided = run("identify", minilm, "--registry", db);
        assertThat(undecided.code()).isEqualTo(12);
        assertThat(undecided.out()).as("the reason names the widths").contains("384");
        // Simulated Llama-style checkpoints written as safetensors directories: independent (11) and derived (10).
        SimModel base = SyntheticTransformer.random("base", Config.smallDecoder(), 31);
        Path baseDir = GoldenOutputsTest.writeHf(base, dir.resolve("sim-base"));
        Path otherDir = GoldenOutputsTest.writeHf(
                SyntheticTransformer.random("other", Config.smallDecoder(), 32), dir.resolve("sim-other"));
        Path tunedDir = GoldenOutputsTest.writeHf(DerivationSimulator.noise(base, 0.2, 5), dir.resolve("sim-tuned"));
        assertThat(run("registry", "add", baseDir.toString(), "--name", "sim-base", "--registry", db)
                        .code())
                .isZero();
        Run indep = run(
                "identify",
                otherDir.toString(),
                "--registry",
                db,
                "--json",
                dir.resolve("indep.json").toString());
        assertThat(indep.code()).as(indep.out() + indep.err()).isEqualTo(11);
        assertThat(indep.out())
                .contains("No registry model is related to the suspect.")
                .contains("had power");
        Run derived = run("identify", tunedDir.toString(), "--registry", db);
        assertThat(derived.code()).as(derived.out() + derived.err()).isEqualTo(10);
        assertThat(derived.out()).contains("sim-base");
        assertThat(run("registry", "remove", "sim-base", "--registry", db).code())
                .isZero();

        Run add = run(
                "registry",
                "add",
                minilm,
                "--name",
                "all-minilm-l6-v2",
                "--license",
                "Apache-2.0",
                "--organisation",
                "sentence-transformers",
                "--parent",
                "microsoft/MiniLM-L12-H384-uncased",
                "--registry",
                db);
        assertThat(add.code()).as(add.err()).isZero();
        Run dup = run("registry", "add", minilm, "--name", "all-minilm-l6-v2", "--registry", db);
        assertThat(dup.code()).isEqualTo(3);
        assertThat(dup.err()).startsWith("error: ").contains("already").contains("reg.db");

        Run list = run("registry", "list", "--registry", db);
        assertThat(list.code()).isZero();
        assertThat(list.out())
                .contains("all-minilm-l6-v2")
                .contains("bge-small-zh-v1.5")
                .contains("2 models");
        Run show = run("registry", "show", "all-minilm-l6-v2", "--registry", db);
        assertThat(show.out())
                .contains("sentence-transformers")
                .contains("microsoft/MiniLM-L12-H384-uncased")
                .contains("Apache-2.0");
        assertThat(run("registry", "show", "nope", "--registry", db).code()).isEqualTo(3);

        Path json = dir.resolve("id.json");
        Run id = run("identify", minilmQ, "--registry", db, "--json", json.toString());
        assertThat(id.code()).as(id.out() + id.err()).isEqualTo(10);
        JsonNode tree = new ObjectMapper().readTree(json.toFile());
        assertThat(tree.path("schema").asText()).isEqualTo("pedigree/identify/v1");
        assertThat(tree.path("candidates").get(0).path("schema").asText()).isEqualTo("pedigree/compare/v1");
        assertThat(tree.path("candidates")
                        .get(0)
                        .path("registry_candidate")
                        .path("name")
                        .asText())
                .isEqualTo("all-minilm-l6-v2");
        assertThat(tree.path("candidates").get(0).path("verdict").asText()).isEqualTo("SHARED_LINEAGE");
        assertThat(tree.path("suspect").path("source").asText()).contains("all-minilm-l6-v2-q");

        Path pack = dir.resolve("pack.zip");
        assertThat(run("registry", "export", pack.toString(), "--registry", db).code())
                .isZero();
        String db2 = dir.resolve("other.db").toString();
        Run imp = run("registry", "import", pack.toString(), "--registry", db2);
        assertThat(imp.code()).as(imp.err()).isZero();
        assertThat(imp.out()).contains("imported 2 models");
        Path bad = dir.resolve("bad.zip");
        dev.pedigree.testkit.Mutations.flipBitInZipEntry(pack, bad, "fingerprints/00000.pfp");
        Run refused = run(
                "registry",
                "import",
                bad.toString(),
                "--registry",
                dir.resolve("third.db").toString());
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).contains("sha256 mismatch").contains("fingerprints/00000.pfp");

        Run rm = run("registry", "remove", "all-minilm-l6-v2", "--registry", db);
        assertThat(rm.code()).isZero();
        assertThat(run("registry", "remove", "all-minilm-l6-v2", "--registry", db)
                        .code())
                .isEqualTo(3);

        Run seed = run(
                "registry", "seed", RealModels.directory(RealModels.E5_SMALL_V2).toString(), "--registry", db);
        assertThat(seed.code()).as(seed.err()).isZero();
        assertThat(seed.out()).contains("added").contains("1 added of 1 found");
        assertThat(run(
                                "registry",
                                "seed",
                                RealModels.directory(RealModels.E5_SMALL_V2).toString(),
                                "--registry",
                                db)
                        .out())
                .contains("already_present");
    }

    @Test
    void usageAndInputErrors(@TempDir Path dir) throws Exception {
        assertThat(run("registry", "add", "x").code()).isEqualTo(2); // --name missing
        assertThat(run("fingerprint", "x").code()).isEqualTo(2); // -o missing
        assertThat(run("identify").code()).isEqualTo(2);
        Run missing = run(
                "fingerprint",
                dir.resolve("nope.onnx").toString(),
                "-o",
                dir.resolve("o.pfp").toString());
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).startsWith("error: ");
        // Unsafe input is UNSAFE_INPUT here too (the registry's own entry point, gone, said INPUT_ERROR).
        Path evil = HostileInputs.torchCallingOsSystem(dir.resolve("evil.pt"));
        Run unsafe =
                run("fingerprint", evil.toString(), "-o", dir.resolve("e.pfp").toString());
        assertThat(unsafe.code()).as(unsafe.err()).isEqualTo(ExitCode.UNSAFE_INPUT.code());
        assertThat(run(
                                "identify",
                                evil.toString(),
                                "--registry",
                                dir.resolve("r.db").toString())
                        .code())
                .isEqualTo(ExitCode.UNSAFE_INPUT.code());
    }
}
