package dev.pedigree.census.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.census.index.LineageIndex;
import dev.pedigree.testkit.MainProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code census query --json -}: the whole answer on standard output, as {@code --json FILE} writes it. */
class QueryStdoutTest {
    @TempDir
    Path tmp;

    @Test
    void jsonOnStandardOutputIsCompleteAndEqualsTheFile() throws Exception {
        Path index = tmp.resolve("lineage.db");
        try (LineageIndex.Writer w = new LineageIndex.Writer(index)) {
            w.model("root/base", "2024-01-01", null, "BertModel", 1L, "ok", "run");
            w.family("root/base", "text", "root/base", null, 0, "root");
            for (int i = 0; i < 400; i++) {
                String id = "lab" + i + "/base-finetune-" + i;
                w.model(id, "2024-02-01", "root/base", "BertModel", 1L, "ok", "run");
                w.family(id, "text", "root/base", "root/base", 1, "fine-tune (verified from the weights)");
            }
        }
        Path file = tmp.resolve("answer.json");
        StringWriter err = new StringWriter();
        int code = CensusMain.run(
                new String[] {
                    "query", "--index", index.toString(), "--descendants", "root/base", "--json", file.toString()
                },
                new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        byte[] expected = Files.readAllBytes(file);
        assertThat(expected.length).isGreaterThan(64 * 1024);
        MainProcess p = MainProcess.run(
                CensusMain.class,
                tmp,
                "query",
                "--index",
                index.toString(),
                "--descendants",
                "root/base",
                "--json",
                "-");
        assertThat(p.exit()).as(p.stderr()).isZero();
        assertThat(p.stdout()).isEqualTo(expected);
        assertThat(new ObjectMapper().readTree(p.stdout()).get("models")).hasSize(400);
        assertThat(tmp.resolve("-")).doesNotExist();
    }
}
