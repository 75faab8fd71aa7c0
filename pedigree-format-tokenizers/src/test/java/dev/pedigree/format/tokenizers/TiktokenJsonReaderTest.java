package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.RealVocabularies;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON rank files of the JavaScript tiktoken ports, with Anthropic's {@code claude.json} as the real case. */
class TiktokenJsonReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsAnthropicsClaudeJson() throws Exception {
        Path claude = RealVocabularies.claude();
        assertThat(Tokenizers.probe(claude, Tokenizers.head(claude)))
                .isEqualTo(new Tokenizers.Probe(TokenizerFormat.TIKTOKEN_JSON, 95));
        TokenizerFile f = Tokenizers.read(claude);
        Vocabulary v = f.vocabulary();
        assertThat(f.format()).isEqualTo(TokenizerFormat.TIKTOKEN_JSON);
        assertThat(v.type()).isEqualTo(TokenizerType.TIKTOKEN);
        // 64,995 ranks from 5 to 64,999 and the five specials below them (explicit_n_vocab says 64,739: not checked)
        assertThat(v.size()).isEqualTo(65_000);
        assertThat(v.specialCount()).isEqualTo(5);
        assertThat(v.specialsRecorded()).isTrue();
        assertThat(v.tokens().subList(0, 5))
                .extracting(Token::text)
                .containsExactly("<EOT>", "<META>", "<META_START>", "<META_END>", "<SOS>");
        assertThat(v.tokens().subList(0, 5)).allMatch(t -> t.kind() == TokenKind.SPECIAL);
        Token first = v.tokens().get(5);
        assertThat(first.id()).isEqualTo(5);
        assertThat(first.bytes()).containsExactly('!');
        assertThat(v.tokens().getLast().id()).isEqualTo(64_999);
        assertThat(v.preTokenizer()).isEqualTo(TokenizerJsonReader.GPT2_PATTERN);
    }

    @Test
    void aRemoteCopyReadsTheSameVocabulary() throws Exception {
        Path claude = RealVocabularies.claude();
        Vocabulary local = TiktokenJsonReader.read(claude);
        try (ModelView v = new TokenizerFileReader()
                .open(ByteSource.ofBytes("https://example.invalid/claude.json", Files.readAllBytes(claude)), null)) {
            assertThat(v.vocabulary().orElseThrow().tokens()).isEqualTo(local.tokens());
        }
    }

    /** js-tiktoken's layout: a new line restarts the ranks, which is how gaps (p50k's 50256) are written. */
    @Test
    void linesRestartTheRanksAndTheResultMatchesTheTiktokenFile() throws Exception {
        Vocabulary tik = TiktokenReader.read(SharedFixtures.file("tiktoken/p50k_base.tiktoken"));
        StringBuilder ranks = new StringBuilder();
        int expect = -1;
        for (Token t : tik.tokens()) {
            if (t.id() != expect) {
                ranks.append(ranks.isEmpty() ? "" : "\\n").append("! ").append(t.id());
            }
            ranks.append(' ').append(t.text());
            expect = t.id() + 1;
        }
        Path f = dir.resolve("p50k_base.json");
        Files.writeString(
                f,
                "{\"explicit_n_vocab\": 50281, \"pat_str\": \"x\", \"special_tokens\": {\"<|endoftext|>\": 50256},"
                        + " \"bpe_ranks\": \"" + ranks + "\"}");
        Vocabulary v = Tokenizers.read(f).vocabulary();
        Map<Integer, String> byId = new HashMap<>();
        tik.tokens().forEach(t -> byId.put(t.id(), t.key()));
        assertThat(v.tokens().stream().filter(t -> t.kind().regular()))
                .hasSize(tik.size())
                .allMatch(t -> t.key().equals(byId.get(t.id())));
        assertThat(v.tokens().stream().filter(t -> t.id() == 50256))
                .singleElement()
                .extracting(Token::kind)
                .isEqualTo(TokenKind.SPECIAL);
    }

    @Test
    void corruptFilesNameTheFileAndTheLine() throws Exception {
        String[][] cases = {
            {"{\"pat_str\": \"x\"}", "has no \"bpe_ranks\""},
            {"{\"bpe_ranks\": \"! 0 YQ== Yg==\\n! x YWI=\"}", "bpe_ranks line 2: expected"},
            {"{\"bpe_ranks\": \"! 0 YQ== Y*==\"}", "bpe_ranks line 1: token 2 is not valid base64"},
            {"{\"bpe_ranks\": \"! 0 YQ== Yg==\\n! 1 YWI=\"}", "rank 1 was already given on line 1"},
            {"{\"bpe_ranks\": \"! 0 YQ== YQ==\"}", "repeats a token of line 1"},
            {"{\"bpe_ranks\": \"! 0 YQ==\", \"special_tokens\": {\"<s>\": 0}}", "special token <s> has id 0"},
        };
        for (String[] c : cases) {
            Path f = dir.resolve("bad.json");
            Files.writeString(f, c[0], StandardCharsets.UTF_8);
            assertThatThrownBy(() -> TiktokenJsonReader.read(f))
                    .as(c[0])
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(c[1])
                    .hasMessageContaining(f.toString());
        }
    }
}
