package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gemma 2 and Gemini re-declare vocabulary pieces (whitespace runs, {@code <unusedN>}) in {@code added_tokens} with
 * flags of their own; Gemma does not. A re-declared piece must stay the same token (same bytes), only its kind
 * changes, so that lineage sees one vocabulary.
 */
class AddedTokenFlagsTest {
    @TempDir
    Path dir;

    private Vocabulary read(String addedTokens) throws Exception {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, """
                {"version": "1.0", "added_tokens": [%s],
                 "model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>",
                   "vocab": {"<unk>": 0, "<s>": 1, "\\u2581\\u2581": 2, "<unused0>": 3, "a": 4, "\\u2581a": 5,
                             "<0x20>": 6},
                   "merges": []}}
                """.formatted(addedTokens));
        return TokenizerJsonReader.read(f);
    }

    @Test
    void aRedeclaredPieceKeepsItsBytesAndTakesTheNewFlag() throws Exception {
        Vocabulary plain = read("");
        Vocabulary flagged = read("""
                {"id": 1, "content": "<s>", "special": true},
                {"id": 2, "content": "\\u2581\\u2581", "special": false, "normalized": true},
                {"id": 3, "content": "<unused0>", "special": true},
                {"id": 7, "content": "<think>", "special": false}""");
        assertThat(flagged.tokens().subList(0, 7))
                .extracting(Token::key)
                .containsExactlyElementsOf(
                        plain.tokens().stream().map(Token::key).toList());
        assertThat(flagged.tokens().get(2).key()).isEqualTo("  ");
        assertThat(flagged.tokens().get(2).kind()).isEqualTo(TokenKind.ADDED);
        assertThat(flagged.tokens().get(3).kind()).isEqualTo(TokenKind.SPECIAL);
        assertThat(plain.tokens().get(3).kind()).isEqualTo(TokenKind.NORMAL);
        // A new id is a new token with its text as bytes.
        assertThat(flagged.tokens().get(7).key()).isEqualTo("<think>");
        assertThat(flagged.specialsRecorded()).isTrue();
    }
}
