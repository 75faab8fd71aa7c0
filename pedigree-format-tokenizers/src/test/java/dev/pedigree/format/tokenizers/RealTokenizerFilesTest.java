package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The readers against real published tokenizer files, with known sizes and cross-checks. */
class RealTokenizerFilesTest {

    private static String text(Token t) {
        return new String(t.bytes(), StandardCharsets.UTF_8);
    }

    private static Map<TokenKind, Long> kinds(Vocabulary v) {
        return v.tokens().stream().collect(Collectors.groupingBy(Token::kind, Collectors.counting()));
    }

    @ParameterizedTest
    @CsvSource({
        "cl100k_base,100256,100255",
        "o200k_base,199998,199997",
        "p50k_base,50280,50280",
        "r50k_base,50256,50255"
    })
    void tiktokenSizes(String name, int size, int maxRank) throws Exception {
        Vocabulary v = TiktokenReader.read(SharedFixtures.file("tiktoken/" + name + ".tiktoken"));
        System.out.printf(
                "%s: %d tokens, max rank %d, specials %d%n",
                name, v.size(), v.tokens().getLast().id(), v.specialCount());
        assertThat(v.type()).isEqualTo(TokenizerType.TIKTOKEN);
        assertThat(v.size()).isEqualTo(size);
        assertThat(v.tokens().getLast().id()).isEqualTo(maxRank);
        assertThat(v.specialCount()).isZero();
        assertThat(v.merges()).isEmpty();
        // the first 256 ranks of GPT-2-derived encodings are single bytes; rank 0 is "!"
        assertThat(v.tokens().getFirst().bytes()).containsExactly('!');
        for (Token t : v.tokens()) {
            assertThat(t.score()).isEqualTo((float) t.id());
        }
    }

    @Test
    void p50kLacksRank50256() throws Exception {
        Vocabulary v = TiktokenReader.read(SharedFixtures.file("tiktoken/p50k_base.tiktoken"));
        assertThat(v.tokens().stream().mapToInt(Token::id))
                .doesNotContain(50256)
                .contains(50255, 50257);
    }

    @Test
    void r50kHasKnownTokens() throws Exception {
        Vocabulary v = TiktokenReader.read(SharedFixtures.file("tiktoken/r50k_base.tiktoken"));
        // GPT-2: id 198 is "\n", id 262 is " the", id 50255 is "gazed"... checked against the GPT-2 vocab
        assertThat(text(v.tokens().get(198))).isEqualTo("\n");
        assertThat(text(v.tokens().get(262))).isEqualTo(" the");
    }

    @Test
    void gpt35TokenizerJsonEqualsCl100kRankForRank() throws Exception {
        Vocabulary json = TokenizerJsonReader.read(SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json"));
        Vocabulary tik = TiktokenReader.read(SharedFixtures.file("tiktoken/cl100k_base.tiktoken"));
        System.out.printf(
                "gpt-3.5-turbo tokenizer.json: %d tokens, %d special, %d merges, kinds %s%n",
                json.size(), json.specialCount(), json.merges().size(), kinds(json));
        assertThat(json.type()).isEqualTo(TokenizerType.BPE);
        assertThat(json.size()).isEqualTo(100261);
        assertThat(json.specialCount()).isEqualTo(5);
        assertThat(json.merges()).hasSize(100000);
        assertThat(json.merges().getFirst()).isEqualTo(new Vocabulary.Merge("Ġ", "Ġ"));
        assertThat(json.preTokenizer()).startsWith("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+");
        List<Token> regular = json.regularTokensInCreationOrder();
        assertThat(regular).hasSize(tik.size());
        for (int i = 0; i < regular.size(); i++) {
            Token a = regular.get(i);
            Token b = tik.tokens().get(i);
            assertThat(a.id()).as("id at %d", i).isEqualTo(b.id());
            assertThat(a.bytes()).as("bytes of rank %d (%s)", i, a.text()).isEqualTo(b.bytes());
        }
        assertThat(json.tokens().stream()
                        .filter(t -> t.kind() == TokenKind.SPECIAL)
                        .map(Token::text))
                .containsExactly(
                        "<|endoftext|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>");
        assertThat(json.tokens().stream()
                        .filter(t -> t.text().equals("<|endofprompt|>"))
                        .findFirst()
                        .orElseThrow()
                        .id())
                .isEqualTo(100276);
    }

    @Test
    void llama2SentencePieceModel() throws Exception {
        SentencePieceModel m =
                SentencePieceModelReader.read(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"));
        Vocabulary v = m.vocabulary();
        System.out.printf(
                "llama2 tokenizer.model: %d pieces, %d special, kinds %s, spec %s%n",
                v.size(), v.specialCount(), kinds(v), m.spec());
        assertThat(v.size()).isEqualTo(32000);
        assertThat(v.type()).isEqualTo(TokenizerType.SENTENCEPIECE_BPE);
        assertThat(m.spec().modelType()).isEqualTo(SentencePieceSpec.ModelType.BPE);
        assertThat(m.spec().byteFallback()).isTrue();
        assertThat(m.spec().addDummyPrefix()).isTrue();
        assertThat(m.spec().declaredVocabSize()).isEqualTo(32000);
        assertThat(v.tokens().get(0)).extracting(Token::text, Token::kind).containsExactly("<unk>", TokenKind.UNKNOWN);
        assertThat(v.tokens().get(1)).extracting(Token::text, Token::kind).containsExactly("<s>", TokenKind.SPECIAL);
        assertThat(v.tokens().get(2)).extracting(Token::text, Token::kind).containsExactly("</s>", TokenKind.SPECIAL);
        for (int b = 0; b < 256; b++) {
            Token t = v.tokens().get(3 + b);
            assertThat(t.text()).isEqualTo(String.format("<0x%02X>", b));
            assertThat(t.kind()).isEqualTo(TokenKind.BYTE);
            assertThat(t.bytes()).containsExactly((byte) b);
        }
        assertThat(kinds(v))
                .containsEntry(TokenKind.BYTE, 256L)
                .containsEntry(TokenKind.SPECIAL, 2L)
                .containsEntry(TokenKind.UNKNOWN, 1L)
                .containsEntry(TokenKind.NORMAL, 32000L - 259);
        // known Llama 2 pieces: 259 "▁▁" (score -1e9, a quirk of the release), 260 "▁t", 278 "▁the"
        assertThat(v.tokens().get(259)).extracting(Token::text, Token::score).containsExactly("▁▁", -1e9f);
        assertThat(v.tokens().get(260).text()).isEqualTo("▁t");
        Token the = v.tokens().stream()
                .filter(t -> t.text().equals("▁the"))
                .findFirst()
                .orElseThrow();
        assertThat(the.id()).isEqualTo(278);
        assertThat(text(the)).isEqualTo(" the");
        // scores fall with id among normal pieces (BPE merge order)
        assertThat(v.tokens().get(260).score())
                .isGreaterThan(v.tokens().get(31999).score());
    }

    @ParameterizedTest
    @CsvSource({
        "all-minilm-l6-v2,30522,994",
        "all-minilm-l6-v2-q,30522,994",
        "bge-small-en-v1.5,30522,994",
        "bge-small-en-v1.5-q,30522,994",
        "e5-small-v2,30522,994",
        "e5-small-v2-q,30522,994",
        "bge-small-zh-v1.5,21128,99"
    })
    void mavenCentralWordPieceTokenizers(String name, int size, long unused) throws Exception {
        Path file = RealModels.tokenizer(name);
        Vocabulary v = TokenizerJsonReader.read(file);
        System.out.printf(
                "%s tokenizer.json: %d tokens, %d special, kinds %s%n", name, v.size(), v.specialCount(), kinds(v));
        assertThat(v.type()).isEqualTo(TokenizerType.WORDPIECE);
        assertThat(v.size()).isEqualTo(size);
        assertThat(v.tokens().getLast().id()).isEqualTo(size - 1);
        assertThat(v.merges()).isEmpty();
        assertThat(v.preTokenizer()).isEqualTo("BertPreTokenizer");
        assertThat(kinds(v))
                .containsEntry(TokenKind.SPECIAL, 4L)
                .containsEntry(TokenKind.UNKNOWN, 1L)
                .containsEntry(TokenKind.UNUSED, unused);
        assertThat(v.specialCount()).isEqualTo(5 + unused);
        assertThat(v.tokens().get(0).text()).isEqualTo("[PAD]");
        assertThat(v.tokens().get(100))
                .extracting(Token::text, Token::kind)
                .containsExactly("[UNK]", TokenKind.UNKNOWN);
        assertThat(v.tokens().get(101))
                .extracting(Token::text, Token::kind)
                .containsExactly("[CLS]", TokenKind.SPECIAL);
        if (size == 30522) {
            // bert-base-uncased: 1996 "the", 2075 "##ing"
            assertThat(v.tokens().get(1996)).extracting(Token::text).isEqualTo("the");
            assertThat(text(v.tokens().get(1996))).isEqualTo(" the");
            assertThat(v.tokens().get(2075).text()).isEqualTo("##ing");
            assertThat(text(v.tokens().get(2075))).isEqualTo("ing");
        }
    }
}
