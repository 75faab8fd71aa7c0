package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Corrupt and hostile inputs: each must fail with the right exception type, naming file and offset. */
class CorruptTokenizerFilesTest {

    private static Vocabulary json(String text) throws Exception {
        return TokenizerJsonReader.read(
                ByteSource.ofBytes("bad-tokenizer.json", text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Vocabulary tiktoken(String text) throws Exception {
        return TiktokenReader.read(ByteSource.ofBytes("bad.tiktoken", text.getBytes(StandardCharsets.UTF_8)));
    }

    private static SentencePieceModel sp(byte[] bytes) throws Exception {
        return SentencePieceModelReader.read(ByteSource.ofBytes("bad.model", bytes));
    }

    /** Asserts a corrupt-input failure naming the source and an offset, and returns it. */
    private static CorruptModelException corrupt(ThrowingRead read, String source) {
        CorruptModelException e = catchThrowableOfType(CorruptModelException.class, read::run);
        assertThat(e).as("expected CorruptModelException").isNotNull();
        assertThat(e.source()).isEqualTo(source);
        assertThat(e.offset()).isGreaterThanOrEqualTo(0);
        assertThat(e.getMessage()).contains(source).contains("at offset " + e.offset());
        return e;
    }

    @FunctionalInterface
    interface ThrowingRead {
        void run() throws Exception;
    }

    // ------------------------------------------------------------------ tokenizer.json

    @Test
    void tokenizerJsonTruncatedAnywhere() {
        String good = SamplesForTests.byteLevelTokenizerJson(true);
        byte[] all = good.getBytes(StandardCharsets.UTF_8);
        int cases = 0;
        for (int cut = 0; cut < all.length - 2; cut += 3) {
            byte[] head = Arrays.copyOf(all, cut);
            CorruptModelException e = corrupt(
                    () -> TokenizerJsonReader.read(ByteSource.ofBytes("bad-tokenizer.json", head)),
                    "bad-tokenizer.json");
            assertThat(e.offset()).isLessThanOrEqualTo(cut);
            cases++;
        }
        System.out.println("tokenizer.json truncations checked: " + cases);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
          not an object         | []
          no model              | {"version":"1.0"}
          model not object      | {"model":[1,2]}
          negative id           | {"model":{"type":"WordLevel","vocab":{"a":-1}}}
          string id             | {"model":{"type":"WordLevel","vocab":{"a":"1"}}}
          huge id               | {"model":{"type":"WordLevel","vocab":{"a":1099511627776}}}
          float id              | {"model":{"type":"WordLevel","vocab":{"a":1.5}}}
          empty vocab           | {"model":{"type":"WordLevel","vocab":{}}}
          missing vocab         | {"model":{"type":"BPE","merges":[]}}
          duplicate id          | {"model":{"type":"WordLevel","vocab":{"a":0,"b":0}}}
          duplicate token       | {"model":{"type":"WordLevel","vocab":{"a":0,"a":1}}}
          merge unknown part    | {"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a c"]}}
          merge result unknown  | {"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":["a b"]}}
          merge no space        | {"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["ab"]}}
          merge two spaces      | {"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b c"]}}
          merge triple          | {"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":[["a","b","c"]]}}
          merge number          | {"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":[7]}}
          merges on wordpiece   | {"model":{"type":"WordPiece","vocab":{"a":0,"b":1},"merges":["a b"]}}
          unigram as object     | {"model":{"type":"Unigram","vocab":{"a":0}}}
          bpe as list           | {"model":{"type":"BPE","vocab":[["a",0.0]]}}
          unigram bad entry     | {"model":{"type":"Unigram","vocab":[["a"]]}}
          unigram bad score     | {"model":{"type":"Unigram","vocab":[["a","x"]]}}
          unigram unk_id range  | {"model":{"type":"Unigram","unk_id":5,"vocab":[["a",0.0]]}}
          added without id      | {"added_tokens":[{"content":"<s>"}],"model":{"type":"WordLevel","vocab":{"a":0}}}
          added without content | {"added_tokens":[{"id":3}],"model":{"type":"WordLevel","vocab":{"a":0}}}
          added duplicate id    | {"added_tokens":[{"id":3,"content":"x"},{"id":3,"content":"y"}],"model":{"type":"WordLevel","vocab":{"a":0}}}
          added not array       | {"added_tokens":{"id":3},"model":{"type":"WordLevel","vocab":{"a":0}}}
          trailing garbage      | {"model":{"type":"WordLevel","vocab":{"a":0}}} {}
          bad literal           | {"model":{"type":"WordLevel","vocab":{"a":0}},"x":tru}
          long number           | {"x":1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111,"model":{}}
          model twice vocab     | {"model":{"type":"WordLevel","vocab":{"a":0},"vocab":{"b":1}}}
          """)
    void tokenizerJsonCorruptCases(String name, String text) {
        CorruptModelException e = corrupt(() -> json(text), "bad-tokenizer.json");
        System.out.println(name + " -> " + e.getMessage());
    }

    @Test
    void tokenizerJsonOffsetsPointAtTheBadEntry() {
        String text = "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0,\"b\":1,\"c\":1}}}";
        CorruptModelException e = corrupt(() -> json(text), "bad-tokenizer.json");
        assertThat(e.offset()).isEqualTo(text.indexOf("\"c\""));
        String merges =
                "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1,\"ab\":2},\"merges\":[\"a b\",\"b a\"]}}";
        CorruptModelException m = corrupt(() -> json(merges), "bad-tokenizer.json");
        assertThat(m.offset()).isEqualTo(merges.indexOf("\"b a\""));
    }

    @Test
    void unknownModelTypeIsUnsupported() {
        String text = "{\"model\":{\"type\":\"Quantum\",\"vocab\":{\"a\":0}}}";
        assertThatThrownBy(() -> json(text))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("bad-tokenizer.json at offset " + text.indexOf("\"Quantum\""));
    }

    @Test
    void deepNestingIsRejectedWithoutStackOverflow() {
        String deep = "{\"normalizer\":" + "[".repeat(100_000) + "]".repeat(100_000) + ",\"model\":{}}";
        corrupt(() -> json(deep), "bad-tokenizer.json");
        String deepSkipped = "{\"post_processor\":" + "{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000) + "}";
        corrupt(() -> json(deepSkipped), "bad-tokenizer.json");
    }

    @Test
    void invalidUtf8InJson() {
        byte[] b = "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"a\":0}}}".getBytes(StandardCharsets.UTF_8);
        b[33] = (byte) 0xFF;
        corrupt(() -> TokenizerJsonReader.read(ByteSource.ofBytes("bad-tokenizer.json", b)), "bad-tokenizer.json");
    }

    // ------------------------------------------------------------------ tiktoken

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
          bad base64 char      | YQ== 0\\nY*== 1\\n
          bad base64 padding   | YQ== 0\\nYQ= 1\\n
          non-numeric rank     | YQ== 0\\nYg== x1\\n
          negative rank        | YQ== 0\\nYg== -1\\n
          overflow rank        | YQ== 0\\nYg== 99999999999\\n
          rank past int        | YQ== 0\\nYg== 2147483648\\n
          missing rank         | YQ== 0\\nYg==\\n
          missing rank space   | YQ== 0\\nYg== \\n
          two spaces           | YQ== 0\\nYg==  1\\n
          empty token          | YQ== 0\\n 1\\n
          duplicate rank       | YQ== 0\\nYg== 0\\n
          duplicate token      | YQ== 0\\nYQ== 1\\n
          tab separator        | YQ== 0\\nYg==\t1\\n
          """)
    void tiktokenCorruptCasesNameTheLineOffset(String name, String escaped) {
        String text = escaped.replace("\\n", "\n");
        CorruptModelException e = corrupt(() -> tiktoken(text), "bad.tiktoken");
        assertThat(e.offset()).as(name).isEqualTo(text.indexOf('\n') + 1);
        assertThat(e.getMessage()).contains("line 2");
    }

    @Test
    void emptyTiktoken() {
        corrupt(() -> tiktoken(""), "bad.tiktoken");
        corrupt(() -> tiktoken("\n\n"), "bad.tiktoken");
    }

    @Test
    void tiktokenSkipsEmptyLinesAndAcceptsCrlf() throws Exception {
        assertThat(tiktoken("YQ== 0\r\n\r\nYg== 5\r\n").size()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ SentencePiece

    @Test
    void sentencePieceTruncatedAnywhere() {
        byte[] good = SamplesForTests.sentencePieceModel(4);
        int corrupt = 0;
        int shorter = 0;
        for (int cut = 0; cut < good.length; cut++) {
            byte[] head = Arrays.copyOf(good, cut);
            try {
                sp(head);
                shorter++;
            } catch (CorruptModelException e) {
                assertThat(e.getMessage()).contains("bad.model").contains("at offset");
                assertThat(e.offset()).isBetween(0L, (long) cut);
                corrupt++;
            } catch (Exception e) {
                throw new AssertionError("cut at " + cut + " threw " + e, e);
            }
        }
        System.out.printf(
                "sentencepiece truncations: %d corrupt, %d still valid (cut on a field boundary)%n", corrupt, shorter);
        assertThat(corrupt).isGreaterThan(good.length / 2);
    }

    @Test
    void sentencePieceHugeClaimedLength() {
        byte[] b = {
            0x0A, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01, 0x0A, 0x01, 'a'
        };
        CorruptModelException e = corrupt(() -> sp(b), "bad.model");
        assertThat(e.offset()).isEqualTo(8);
    }

    @Test
    void sentencePieceSchemaViolations() {
        SamplesForTests.Proto wrongScoreType = new SamplesForTests.Proto()
                .message(1, new SamplesForTests.Proto().stringField(1, "a").varintField(2, 3));
        corrupt(() -> sp(wrongScoreType.bytes()), "bad.model");
        SamplesForTests.Proto badType = new SamplesForTests.Proto().message(1, SamplesForTests.piece("a", 0, 9));
        CorruptModelException e = corrupt(() -> sp(badType.bytes()), "bad.model");
        assertThat(e.getMessage()).contains("undefined type 9");
        SamplesForTests.Proto badByte = new SamplesForTests.Proto().message(1, SamplesForTests.piece("<0xZZ>", 0, 6));
        corrupt(() -> sp(badByte.bytes()), "bad.model");
        SamplesForTests.Proto noText =
                new SamplesForTests.Proto().message(1, new SamplesForTests.Proto().fixed32Field(2, 1f));
        corrupt(() -> sp(noText.bytes()), "bad.model");
        SamplesForTests.Proto badModelType = new SamplesForTests.Proto()
                .message(1, SamplesForTests.piece("a", 0, 1))
                .message(2, new SamplesForTests.Proto().varintField(3, 7));
        corrupt(() -> sp(badModelType.bytes()), "bad.model");
        SamplesForTests.Proto noPieces =
                new SamplesForTests.Proto().message(2, new SamplesForTests.Proto().varintField(3, 2));
        corrupt(() -> sp(noPieces.bytes()), "bad.model");
        SamplesForTests.Proto badUtf8 = new SamplesForTests.Proto()
                .message(1, new SamplesForTests.Proto().bytesField(1, new byte[] {(byte) 0xC3, 0x28}));
        corrupt(() -> sp(badUtf8.bytes()), "bad.model");
        SamplesForTests.Proto nanScore =
                new SamplesForTests.Proto().message(1, SamplesForTests.piece("a", Float.NaN, 1));
        corrupt(() -> sp(nanScore.bytes()), "bad.model");
        corrupt(() -> sp(new byte[0]), "bad.model");
        corrupt(() -> sp(new byte[] {0x0B}), "bad.model");
    }

    // ------------------------------------------------------------------ text layouts

    @Test
    void vocabTxtCorruptions() {
        ThrowingRead emptyLine = () ->
                VocabTxtReader.read(ByteSource.ofBytes("vocab.txt", "[PAD]\n\nthe\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(corrupt(emptyLine, "vocab.txt").offset()).isEqualTo(6);
        ThrowingRead badUtf8 =
                () -> VocabTxtReader.read(ByteSource.ofBytes("vocab.txt", new byte[] {'a', '\n', (byte) 0xFF, '\n'}));
        assertThat(corrupt(badUtf8, "vocab.txt").offset()).isEqualTo(2);
        corrupt(() -> VocabTxtReader.read(ByteSource.ofBytes("vocab.txt", new byte[0])), "vocab.txt");
    }

    @Test
    void vocabJsonMergesCorruptions() {
        byte[] vocab = "{\"a\":0,\"b\":1,\"ab\":2}".getBytes(StandardCharsets.UTF_8);
        ThrowingRead unknown = () -> VocabJsonMergesReader.read(
                ByteSource.ofBytes("vocab.json", vocab),
                ByteSource.ofBytes("merges.txt", "#version: 0.2\na b\nb c\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(corrupt(unknown, "merges.txt").offset()).isEqualTo(18);
        ThrowingRead three = () -> VocabJsonMergesReader.read(
                ByteSource.ofBytes("vocab.json", vocab),
                ByteSource.ofBytes("merges.txt", "a b c\n".getBytes(StandardCharsets.UTF_8)));
        corrupt(three, "merges.txt");
        ThrowingRead notObject = () -> VocabJsonMergesReader.read(
                ByteSource.ofBytes("vocab.json", "[1]".getBytes(StandardCharsets.UTF_8)),
                ByteSource.ofBytes("merges.txt", new byte[0]));
        corrupt(notObject, "vocab.json");
        ThrowingRead dupId = () -> VocabJsonMergesReader.read(
                ByteSource.ofBytes("vocab.json", "{\"a\":0,\"b\":0}".getBytes(StandardCharsets.UTF_8)),
                ByteSource.ofBytes("merges.txt", new byte[0]));
        assertThat(corrupt(dupId, "vocab.json").offset()).isEqualTo(7);
    }

    @Test
    void tokenizerConfigCorruptions() throws Exception {
        Vocabulary base = json(SamplesForTests.wordLevelTokenizerJson());
        ThrowingRead badKey = () -> AddedToken.overlay(
                base,
                TokenizerConfig.addedTokensDecoder(ByteSource.ofBytes(
                        "tokenizer_config.json",
                        "{\"added_tokens_decoder\":{\"x\":{\"content\":\"a\"}}}".getBytes(StandardCharsets.UTF_8))),
                "tokenizer_config.json");
        assertThat(corrupt(badKey, "tokenizer_config.json").offset()).isEqualTo(25);
    }

    @Test
    void everyFailureIsAModelFormatException() {
        assertThat(ModelFormatException.class)
                .isAssignableFrom(CorruptModelException.class)
                .isAssignableFrom(UnsupportedModelException.class);
    }
}
