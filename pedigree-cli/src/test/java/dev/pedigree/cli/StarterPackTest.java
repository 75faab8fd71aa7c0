package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.MainProcess;
import dev.pedigree.testkit.RealModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The starter pack on a fresh machine: the first {@code identify} with the default registry imports the pack the
 * launcher names (as scripts/build-starter-pack.sh builds it: the upstream fp32 models under their Hugging Face
 * ids), says so on standard error, and names the model an int8 copy comes from; an empty registry says how to fill
 * it.
 */
class StarterPackTest {
    @TempDir
    Path tmp;

    @Test
    void firstIdentifyImportsTheStarterPackAndNamesTheInt8CopysOrigin() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                System.getenv("PEDIGREE_REGISTRY") == null && System.getenv("XDG_DATA_HOME") == null,
                "skipped: PEDIGREE_REGISTRY or XDG_DATA_HOME chooses the registry instead of user.home");
        Path build = tmp.resolve("build.db");
        for (String[] m : new String[][] {
            {RealModels.E5_SMALL_V2, "intfloat/e5-small-v2", "MIT"},
            {RealModels.ALL_MINILM_L6_V2, "sentence-transformers/all-MiniLM-L6-v2", "Apache-2.0"}
        }) {
            Cli add = Cli.run(
                    "registry",
                    "add",
                    RealModels.directory(m[0]).toString(),
                    "--name",
                    m[1],
                    "--license",
                    m[2],
                    "--registry",
                    build.toString());
            assertThat(add.exit()).as(add.err()).isZero();
        }
        Path pack = tmp.resolve("starter-pack/starter.pack");
        Files.createDirectories(pack.getParent());
        Cli export = Cli.run("registry", "export", pack.toString(), "--registry", build.toString());
        assertThat(export.exit()).as(export.err()).isZero();

        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        List<String> jvm = List.of("-Duser.home=" + home, "-Dpedigree.starterPack=" + pack);
        String q = RealModels.onnx(RealModels.E5_SMALL_V2_Q).toString();
        MainProcess first = MainProcess.run(Main.class, tmp, jvm, "identify", q);
        assertThat(first.exit()).as(first.stderr()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(first.stderr())
                .contains("first use of the registry " + home.resolve(".local/share/pedigree/registry.db"))
                .contains("imported 2 models");
        String out = new String(first.stdout(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(out).containsPattern("The suspect shares lineage with registry models? intfloat/e5-small-v2 ");
        assertThat(home.resolve(".local/share/pedigree/registry.db")).exists();

        MainProcess second = MainProcess.run(Main.class, tmp, jvm, "identify", q);
        assertThat(second.exit()).as(second.stderr()).isEqualTo(ExitCode.SHARED_LINEAGE.code());
        assertThat(second.stderr()).doesNotContain("imported");
    }

    @Test
    void anEmptyRegistrySaysSoAndHowToFillIt() throws Exception {
        Cli r = Cli.run(
                "identify",
                RealModels.onnx(RealModels.E5_SMALL_V2_Q).toString(),
                "--registry",
                tmp.resolve("empty.db").toString());
        assertThat(r.err()).contains("is empty").contains("registry seed").contains("build-starter-pack.sh");
    }
}
