package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import org.junit.jupiter.api.Test;

class TokensCliTest {
    @Test
    void koreanCorpusShowsO200kGainOverCl100kInHangul() throws Exception {
        Cli r = Cli.run(
                "tokens",
                SharedFixtures.file("tiktoken/cl100k_base.tiktoken").toString(),
                SharedFixtures.file("tiktoken/o200k_base.tiktoken").toString(),
                "--corpus",
                SharedFixtures.file("korean/korean_sample_200k.txt").toString(),
                "--ancestor",
                SharedFixtures.file("tiktoken/cl100k_base.tiktoken").toString(),
                "--json",
                "-");
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertThat(n.get("tokenizers")).hasSize(2);
        double cl = n.get("tokenizers").get(0).get("tokens_per_character").asDouble();
        double o2 = n.get("tokenizers").get(1).get("tokens_per_character").asDouble();
        assertThat(o2).isLessThan(cl);
        JsonNode byScript = n.get("gain").get("occurrences_by_script");
        assertThat(byScript.get("HANGUL").asLong())
                .isGreaterThan(byScript.path("LATIN").asLong());
    }

    @Test
    void wordPieceOnTheRealModelTokenizer() throws Exception {
        java.nio.file.Path corpus = java.nio.file.Files.createTempFile("corpus", ".txt");
        java.nio.file.Files.writeString(
                corpus, "The quick brown fox jumps over the lazy dog.\nPedigree reads weights.\n");
        Cli r = Cli.run(
                "tokens", RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2).toString(), "--corpus", corpus.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("tok/word").contains("30522");
    }

    @Test
    void ancestorMustBeOneOfTheTokenizers() throws Exception {
        java.nio.file.Path corpus = java.nio.file.Files.createTempFile("corpus", ".txt");
        java.nio.file.Files.writeString(corpus, "x\n");
        java.nio.file.Path t = RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2);
        Cli r = Cli.run("tokens", t.toString(), "--corpus", corpus.toString(), "--ancestor", "/elsewhere.json");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    }
}
