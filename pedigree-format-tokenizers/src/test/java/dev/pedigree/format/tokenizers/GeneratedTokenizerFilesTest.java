package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.ByteSource;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Small files written by the test, with answers known by construction. */
class GeneratedTokenizerFilesTest {
    @TempDir
    Path dir;

    private static ByteSource src(String name, String text) {
        return ByteSource.ofBytes(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String str(Token t) {
        return new String(t.bytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void byteLevelBpeInBothMergeEncodings(boolean pairs) throws Exception {
        Vocabulary v = TokenizerJsonReader.read(src("tokenizer.json", SamplesForTests.byteLevelTokenizerJson(pairs)));
        assertThat(v.type()).isEqualTo(TokenizerType.BPE);
        assertThat(v.size()).isEqualTo(256 + 7 + 1);
        assertThat(v.specialCount()).isEqualTo(1);
        for (int b = 0; b < 256; b++) {
            assertThat(v.tokens().get(b).bytes()).containsExactly((byte) b);
            assertThat(v.tokens().get(b).kind()).isEqualTo(TokenKind.NORMAL);
        }
        assertThat(str(v.tokens().get(256))).isEqualTo(" t");
        assertThat(str(v.tokens().get(258))).isEqualTo(" the");
        assertThat(str(v.tokens().get(262))).isEqualTo(" thing");
        assertThat(v.tokens().get(263))
                .extracting(Token::text, Token::kind)
                .containsExactly("<|endoftext|>", TokenKind.SPECIAL);
        assertThat(v.merges())
                .extracting(Vocabulary.Merge::left)
                .containsExactly("Ġ", "h", "Ġt", "i", "in", "Ġt", "Ġth");
        assertThat(v.merges())
                .extracting(Vocabulary.Merge::right)
                .containsExactly("t", "e", "he", "n", "g", "h", "ing");
        assertThat(v.preTokenizer()).isEqualTo(TokenizerJsonReader.GPT2_PATTERN);
    }

    @Test
    void bothMergeEncodingsGiveTheSameVocabulary() throws Exception {
        Vocabulary a = TokenizerJsonReader.read(src("a.json", SamplesForTests.byteLevelTokenizerJson(false)));
        Vocabulary b = TokenizerJsonReader.read(src("a.json", SamplesForTests.byteLevelTokenizerJson(true)));
        assertThat(b).isEqualTo(a);
    }

    @Test
    void sentencePieceStyleBpe() throws Exception {
        Vocabulary v = TokenizerJsonReader.read(src("llama.json", SamplesForTests.sentencePieceBpeTokenizerJson()));
        assertThat(v.type()).isEqualTo(TokenizerType.SENTENCEPIECE_BPE);
        assertThat(v.tokens().get(0).kind()).isEqualTo(TokenKind.UNKNOWN);
        assertThat(v.tokens().get(1).kind()).isEqualTo(TokenKind.SPECIAL);
        assertThat(v.tokens().get(3 + 0x0A))
                .extracting(Token::text, Token::kind)
                .containsExactly("<0x0A>", TokenKind.BYTE);
        assertThat(v.tokens().get(3 + 0x0A).bytes()).containsExactly(0x0A);
        assertThat(str(v.tokens().getLast())).isEqualTo(" the");
        assertThat(v.merges()).hasSize(3);
        assertThat(v.preTokenizer()).isNull();
        assertThat(v.specialCount()).isEqualTo(3);
    }

    @Test
    void unigram() throws Exception {
        Vocabulary v = TokenizerJsonReader.read(src("t5.json", SamplesForTests.unigramTokenizerJson()));
        assertThat(v.type()).isEqualTo(TokenizerType.UNIGRAM);
        assertThat(v.size()).isEqualTo(7);
        assertThat(v.tokens())
                .extracting(Token::kind)
                .containsExactly(
                        TokenKind.SPECIAL,
                        TokenKind.SPECIAL,
                        TokenKind.UNKNOWN,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL,
                        TokenKind.BYTE);
        assertThat(v.tokens()).extracting(Token::score).containsExactly(0f, 0f, 0f, -2.5f, -3.25f, -4f, -9.5f);
        assertThat(str(v.tokens().get(4))).isEqualTo(" the");
        assertThat(v.tokens().get(6).bytes()).containsExactly('A');
        assertThat(v.preTokenizer()).isEqualTo("Metaspace");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wordPieceWithAndWithoutPrefixKey(boolean prefixKey) throws Exception {
        Vocabulary v = TokenizerJsonReader.read(src("bert.json", SamplesForTests.wordPieceTokenizerJson(prefixKey)));
        assertThat(v.type()).isEqualTo(TokenizerType.WORDPIECE);
        assertThat(v.tokens())
                .extracting(Token::kind)
                .containsExactly(
                        TokenKind.SPECIAL,
                        TokenKind.UNKNOWN,
                        TokenKind.SPECIAL,
                        TokenKind.SPECIAL,
                        TokenKind.SPECIAL,
                        TokenKind.UNUSED,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL);
        assertThat(v.tokens().subList(6, 10))
                .extracting(GeneratedTokenizerFilesTest::str)
                .containsExactly(" the", "ing", " th", "e");
        assertThat(str(v.tokens().get(2))).isEqualTo("[CLS]");
    }

    @Test
    void wordLevel() throws Exception {
        Vocabulary v = TokenizerJsonReader.read(src("wl.json", SamplesForTests.wordLevelTokenizerJson()));
        assertThat(v.type()).isEqualTo(TokenizerType.OTHER);
        assertThat(v.tokens())
                .extracting(Token::kind)
                .containsExactly(TokenKind.UNKNOWN, TokenKind.NORMAL, TokenKind.NORMAL);
        assertThat(str(v.tokens().get(1))).isEqualTo("hello");
        assertThat(v.preTokenizer()).isEqualTo("Whitespace");
    }

    @Test
    void addedTokenOutsideTheModelVocabularyIsAppended() throws Exception {
        String json = SamplesForTests.wordLevelTokenizerJson()
                .replace(
                        "{\"model\"",
                        "{\"added_tokens\":[{\"id\":7,\"content\":\"<extra>\",\"special\":false}],\"model\"");
        Vocabulary v = TokenizerJsonReader.read(src("wl.json", json));
        assertThat(v.tokens()).hasSize(4);
        assertThat(v.tokens().getLast())
                .extracting(Token::id, Token::text, Token::kind)
                .containsExactly(7, "<extra>", TokenKind.ADDED);
    }

    @Test
    void directoryAppliesTokenizerConfigAddedTokensDecoder() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), SamplesForTests.wordLevelTokenizerJson());
        Files.writeString(dir.resolve("tokenizer_config.json"), """
        {"add_bos_token":true,"added_tokens_decoder":{"0":{"content":"<unk>","special":true},"3":{"content":"<|im_start|>","special":true},
          "4":{"content":"<tool>","special":false}},"chat_template":"{{ x }}","model_max_length":512}
        """);
        Vocabulary v = TokenizerJsonReader.read(dir);
        assertThat(v.tokens())
                .extracting(Token::kind)
                .containsExactly(
                        TokenKind.UNKNOWN, TokenKind.NORMAL, TokenKind.NORMAL, TokenKind.SPECIAL, TokenKind.ADDED);
        TokenizerFile t = Tokenizers.readDirectory(dir).orElseThrow();
        assertThat(t.vocabulary()).isEqualTo(v);
        assertThat(t.files()).containsExactly(dir.resolve("tokenizer.json"), dir.resolve("tokenizer_config.json"));
    }

    @Test
    void sentencePieceModel() throws Exception {
        SentencePieceModel m =
                SentencePieceModelReader.read(ByteSource.ofBytes("sp.model", SamplesForTests.sentencePieceModel(5)));
        Vocabulary v = m.vocabulary();
        assertThat(v.size()).isEqualTo(3 + 256 + 5 + 2);
        assertThat(v.type()).isEqualTo(TokenizerType.SENTENCEPIECE_BPE);
        assertThat(m.spec().modelType()).isEqualTo(SentencePieceSpec.ModelType.BPE);
        assertThat(m.spec().byteFallback()).isTrue();
        assertThat(m.spec().addDummyPrefix()).isFalse();
        assertThat(m.spec().removeExtraWhitespaces()).isFalse();
        assertThat(m.spec().escapeWhitespaces()).isTrue();
        assertThat(m.spec().normalizerName()).isEqualTo("identity");
        assertThat(m.spec().padId()).isEqualTo(-1);
        assertThat(m.spec().declaredVocabSize()).isEqualTo(266);
        assertThat(str(v.tokens().get(259))).isEqualTo(" t");
        assertThat(v.tokens().get(260).score()).isEqualTo(-1f);
        assertThat(v.tokens().get(264).kind()).isEqualTo(TokenKind.ADDED);
        assertThat(v.tokens().get(265).kind()).isEqualTo(TokenKind.UNUSED);
        assertThat(v.specialCount()).isEqualTo(5);
    }

    @Test
    void sentencePieceDefaultsWhenSpecsAreAbsent() throws Exception {
        byte[] onlyPieces = new SamplesForTests.Proto()
                .message(1, SamplesForTests.piece("<unk>", 0, 2))
                .message(1, SamplesForTests.piece("▁a", -1, 1))
                .bytes();
        SentencePieceModel m = SentencePieceModelReader.read(ByteSource.ofBytes("sp.model", onlyPieces));
        assertThat(m.spec().modelType()).isEqualTo(SentencePieceSpec.ModelType.UNIGRAM);
        assertThat(m.vocabulary().type()).isEqualTo(TokenizerType.UNIGRAM);
        assertThat(m.spec().addDummyPrefix()).isTrue();
        assertThat(m.spec().byteFallback()).isFalse();
    }

    @Test
    void tiktoken() throws Exception {
        Vocabulary v = TiktokenReader.read(ByteSource.ofBytes("x.tiktoken", SamplesForTests.tiktoken()));
        assertThat(v.size()).isEqualTo(28);
        assertThat(str(v.tokens().get(26))).isEqualTo("ab");
        assertThat(str(v.tokens().get(27))).isEqualTo(" the");
        assertThat(v.tokens().get(27).text()).isEqualTo("IHRoZQ==");
    }

    @Test
    void vocabJsonAndMergesTxt() throws Exception {
        List<String> vocab = SamplesForTests.byteLevelVocab();
        Files.writeString(dir.resolve("vocab.json"), SamplesForTests.vocabObject(vocab));
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (String[] m : SamplesForTests.BYTE_LEVEL_MERGES) {
            merges.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        Files.writeString(dir.resolve("merges.txt"), merges);
        Vocabulary v = VocabJsonMergesReader.read(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        Vocabulary json =
                TokenizerJsonReader.read(src("tokenizer.json", SamplesForTests.byteLevelTokenizerJson(false)));
        assertThat(v.tokens()).isEqualTo(json.tokens());
        assertThat(v.merges()).isEqualTo(json.merges());
        assertThat(v.type()).isEqualTo(TokenizerType.BPE);
        TokenizerFile t = Tokenizers.readDirectory(dir).orElseThrow();
        assertThat(t.format()).isEqualTo(TokenizerFormat.VOCAB_JSON_MERGES);
        assertThat(Tokenizers.read(dir.resolve("vocab.json")).vocabulary()).isEqualTo(v);
    }

    @Test
    void mergesWithoutVersionLineAndWithCrlf() throws Exception {
        Files.writeString(dir.resolve("vocab.json"), SamplesForTests.vocabObject(SamplesForTests.byteLevelVocab()));
        Files.writeString(dir.resolve("merges.txt"), "Ġ t\r\nh e\r\n");
        Vocabulary v = VocabJsonMergesReader.read(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        assertThat(v.merges()).containsExactly(new Vocabulary.Merge("Ġ", "t"), new Vocabulary.Merge("h", "e"));
    }

    @Test
    void vocabTxt() throws Exception {
        Files.writeString(
                dir.resolve("vocab.txt"), "[PAD]\n[unused0]\n[unused1]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##ing\n中\n");
        Vocabulary v = VocabTxtReader.read(dir.resolve("vocab.txt"));
        assertThat(v.type()).isEqualTo(TokenizerType.WORDPIECE);
        assertThat(v.tokens())
                .extracting(Token::kind)
                .containsExactly(
                        TokenKind.SPECIAL,
                        TokenKind.UNUSED,
                        TokenKind.UNUSED,
                        TokenKind.UNKNOWN,
                        TokenKind.SPECIAL,
                        TokenKind.SPECIAL,
                        TokenKind.SPECIAL,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL,
                        TokenKind.NORMAL);
        assertThat(v.tokens().subList(7, 10))
                .extracting(GeneratedTokenizerFilesTest::str)
                .containsExactly(" the", "ing", " 中");
        assertThat(Tokenizers.readDirectory(dir).orElseThrow().format()).isEqualTo(TokenizerFormat.VOCAB_TXT);
    }

    @Test
    void directoryPreference() throws Exception {
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\nthe\n");
        assertThat(Tokenizers.readDirectory(dir).orElseThrow().format()).isEqualTo(TokenizerFormat.VOCAB_TXT);
        Files.writeString(dir.resolve("vocab.json"), SamplesForTests.vocabObject(SamplesForTests.byteLevelVocab()));
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
        assertThat(Tokenizers.readDirectory(dir).orElseThrow().format()).isEqualTo(TokenizerFormat.VOCAB_JSON_MERGES);
        Files.write(dir.resolve("tokenizer.model"), SamplesForTests.sentencePieceModel(3));
        TokenizerFile sp = Tokenizers.readDirectory(dir).orElseThrow();
        assertThat(sp.format()).isEqualTo(TokenizerFormat.SENTENCEPIECE_MODEL);
        assertThat(sp.sentencePieceSpec()).isPresent();
        Files.writeString(dir.resolve("tokenizer.json"), SamplesForTests.wordLevelTokenizerJson());
        TokenizerFile js = Tokenizers.readDirectory(dir).orElseThrow();
        assertThat(js.format()).isEqualTo(TokenizerFormat.TOKENIZER_JSON);
        assertThat(js.sentencePieceSpec()).isEmpty();
    }

    @Test
    void emptyDirectoryHasNoTokenizer() throws Exception {
        assertThat(Tokenizers.readDirectory(dir)).isEmpty();
        Files.write(dir.resolve("cl.tiktoken"), SamplesForTests.tiktoken());
        assertThat(Tokenizers.readDirectory(dir).orElseThrow().format()).isEqualTo(TokenizerFormat.TIKTOKEN);
    }
}
