package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ModelReader service, probing by content, and cross-checks between layouts of one vocabulary. */
class TokenizerFileReaderTest {
    @TempDir
    Path dir;

    private static TokenizerFileReader reader() {
        for (ModelReader r : ServiceLoader.load(ModelReader.class)) {
            if (r instanceof TokenizerFileReader t) {
                return t;
            }
        }
        throw new AssertionError("TokenizerFileReader is not registered in META-INF/services");
    }

    private static int probe(Path file) throws Exception {
        return reader().probe(file, Tokenizers.head(file));
    }

    @Test
    void registeredUnderItsName() {
        assertThat(reader().name()).isEqualTo("tokenizer");
    }

    @Test
    void probesRealFilesByContent() throws Exception {
        Path gpt = SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json");
        Path sp = SharedFixtures.file("sentencepiece/llama2-tokenizer.model");
        Path tik = SharedFixtures.file("tiktoken/cl100k_base.tiktoken");
        Path bert = RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2);
        Path onnx = RealModels.onnx(RealModels.ALL_MINILM_L6_V2);
        Map<String, Integer> scores =
                Map.of("gpt", probe(gpt), "sp", probe(sp), "tik", probe(tik), "bert", probe(bert), "onnx", probe(onnx));
        System.out.println("probe scores: " + scores);
        assertThat(probe(gpt)).isGreaterThanOrEqualTo(85);
        assertThat(probe(sp)).isGreaterThanOrEqualTo(90);
        assertThat(probe(tik)).isGreaterThanOrEqualTo(90);
        assertThat(probe(bert)).isGreaterThanOrEqualTo(85);
        assertThat(probe(onnx)).isZero();
        // content alone, under names that say nothing
        for (Path p : List.of(gpt, sp, tik)) {
            Path renamed = dir.resolve("blob-" + p.getFileName().toString().hashCode());
            Files.copy(p, renamed);
            assertThat(probe(renamed)).as("renamed %s", p.getFileName()).isGreaterThanOrEqualTo(50);
        }
    }

    @Test
    void rejectsNonTokenizerJson() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"model_type\":\"bert\",\"hidden_size\":384}");
        assertThat(probe(config)).isZero();
        Path other = dir.resolve("data.json");
        Files.writeString(other, "{\"a\":1}");
        assertThat(probe(other)).isZero();
        assertThatThrownBy(() -> reader().open(other))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(other.toString());
    }

    @Test
    void aTokenizerJsonTooDamagedToRecogniseIsCorruptWhereItBreaks() throws Exception {
        Path cut = dir.resolve("tokenizer.json");
        Files.writeString(cut, "{\"versi");
        assertThat(probe(cut)).isZero();
        assertThatThrownBy(() -> reader().open(cut))
                .isInstanceOfSatisfying(
                        CorruptModelException.class, e -> assertThat(e.offset()).isBetween(0L, 7L))
                .hasMessageContaining(cut.toString());
    }

    @Test
    void opensEachRealFileAsATokenizerView() throws Exception {
        record Case(Path file, int size, String type) {}
        List<Case> cases = List.of(
                new Case(SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json"), 100261, "bpe"),
                new Case(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"), 32000, "sentencepiece-bpe"),
                new Case(SharedFixtures.file("tiktoken/o200k_base.tiktoken"), 199998, "tiktoken"),
                new Case(RealModels.tokenizer(RealModels.BGE_SMALL_ZH_V15), 21128, "wordpiece"));
        for (Case c : cases) {
            try (ModelView v = reader().open(c.file())) {
                assertThat(v.format()).isEqualTo(ModelFormat.TOKENIZER);
                assertThat(v.tensors()).isEmpty();
                assertThat(v.vocabulary()).isPresent();
                assertThat(v.vocabulary().get().size()).isEqualTo(c.size());
                assertThat(v.metadata())
                        .containsEntry("tokenizer.type", c.type())
                        .containsEntry("tokenizer.vocab_size", c.size());
                assertThat(v.files()).contains(c.file());
                assertThat(v.source()).isEqualTo(c.file().toString());
            }
        }
        try (ModelView v = reader().open(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"))) {
            assertThat(v.metadata())
                    .containsEntry("sentencepiece.model_type", "BPE")
                    .containsEntry("sentencepiece.add_dummy_prefix", true);
        }
    }

    @Test
    void facadeReadsRealFiles() throws Exception {
        TokenizerFile sp = Tokenizers.read(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"));
        assertThat(sp.format()).isEqualTo(TokenizerFormat.SENTENCEPIECE_MODEL);
        assertThat(sp.sentencePieceSpec().orElseThrow().byteFallback()).isTrue();
        TokenizerFile hf = Tokenizers.read(RealModels.directory(RealModels.E5_SMALL_V2));
        assertThat(hf.format()).isEqualTo(TokenizerFormat.TOKENIZER_JSON);
        assertThat(hf.vocabulary().size()).isEqualTo(30522);
    }

    /** gpt-3.5's tokenizer.json rewritten as GPT-2 style vocab.json + merges.txt must read back identically. */
    @Test
    void vocabJsonMergesMatchesTheTokenizerJsonItCameFrom() throws Exception {
        Path file = SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json");
        JsonNode model = new ObjectMapper().readTree(file.toFile()).get("model");
        Files.writeString(dir.resolve("vocab.json"), model.get("vocab").toString());
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (JsonNode m : model.get("merges")) {
            merges.append(m.asText()).append('\n');
        }
        Files.writeString(dir.resolve("merges.txt"), merges);
        Vocabulary pair = VocabJsonMergesReader.read(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
        Vocabulary json = TokenizerJsonReader.read(file);
        assertThat(pair.merges()).isEqualTo(json.merges());
        assertThat(pair.size()).isEqualTo(json.size());
        assertThat(pair.specialCount()).isEqualTo(5);
        for (int i = 0; i < json.size(); i++) {
            assertThat(pair.tokens().get(i).bytes())
                    .isEqualTo(json.tokens().get(i).bytes());
            assertThat(pair.tokens().get(i).kind())
                    .isEqualTo(json.tokens().get(i).kind());
        }
    }

    /** all-MiniLM's WordPiece vocabulary written out as vocab.txt must read back identically. */
    @Test
    void vocabTxtMatchesTheTokenizerJsonItCameFrom() throws Exception {
        Path file = RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2);
        Vocabulary json = TokenizerJsonReader.read(file);
        List<String> lines = new ArrayList<>();
        for (Token t : json.tokens()) {
            lines.add(t.text());
        }
        Files.write(dir.resolve("vocab.txt"), lines, StandardCharsets.UTF_8);
        Vocabulary txt = VocabTxtReader.read(dir.resolve("vocab.txt"));
        assertThat(txt.tokens()).isEqualTo(json.tokens());
        assertThat(txt.specialCount()).isEqualTo(999);
        assertThat(probe(dir.resolve("vocab.txt"))).isPositive();
    }

    @Test
    void tokenKindsOfLlamaAreUnchangedByItsTokenizerConfig() throws Exception {
        Files.copy(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"), dir.resolve("tokenizer.model"));
        Files.writeString(
                dir.resolve("tokenizer_config.json"),
                "{\"added_tokens_decoder\":{\"0\":{\"content\":\"<unk>\",\"special\":true},\"1\":{\"content\":\"<s>\",\"special\":true},\"2\":{\"content\":\"</s>\",\"special\":true}}}");
        Vocabulary v = Tokenizers.readDirectory(dir).orElseThrow().vocabulary();
        Vocabulary plain =
                SentencePieceModelReader.read(dir.resolve("tokenizer.model")).vocabulary();
        assertThat(v.tokens()).isEqualTo(plain.tokens());
        Iterator<Token> it = v.tokens().iterator();
        assertThat(it.next().kind()).isEqualTo(TokenKind.UNKNOWN);
    }
}
