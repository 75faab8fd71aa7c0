package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddedTokensTest {
    private static Vocabulary byteLevel(List<String> texts) {
        List<Token> tokens = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            byte[] b = texts.get(i).getBytes(StandardCharsets.UTF_8);
            // As a byte-level BPE file writes them: "한국어" as "íķľêµŃìĸ´".
            tokens.add(new Token(i, b, TokenText.toByteLevel(b), TokenKind.NORMAL, 0));
        }
        return new Vocabulary(TokenizerType.BPE, tokens, List.of(), null, "test");
    }

    @Test
    void countsEveryAddedTokenByScriptAndReadsKoreanAsKorean() {
        Vocabulary reference = byteLevel(List.of("a", "b", "the"));
        List<String> suspectTokens = new ArrayList<>(List.of("a", "b", "the"));
        for (int i = 0; i < 40; i++) {
            suspectTokens.add("한국어" + i);
        }
        suspectTokens.add("Привет");
        suspectTokens.add("42");
        List<Token> tokens = new ArrayList<>(byteLevel(suspectTokens).tokens());
        // Half a Hangul syllable: not a whole character, shown as its bytes.
        byte[] half = {(byte) 0xED, (byte) 0x95};
        tokens.add(new Token(tokens.size(), half, TokenText.toByteLevel(half), TokenKind.NORMAL, 0));
        Vocabulary suspect = new Vocabulary(TokenizerType.BPE, tokens, List.of(), null, "test");

        AddedTokens.Summary s = AddedTokens.of(suspect, reference, 3);
        assertThat(s.total()).isEqualTo(43);
        // Counted over all 43 added tokens, not a handful of examples.
        assertThat(s.scripts())
                .containsEntry("Hangul", 40L)
                .containsEntry("Cyrillic", 1L)
                .containsEntry(TokenScripts.NO_LETTER, 1L)
                .containsEntry(AddedTokens.PARTIAL, 1L);
        assertThat(s.scripts().keySet().iterator().next()).isEqualTo("Hangul");
        assertThat(s.examples().get("Hangul")).containsExactly("한국어0", "한국어1", "한국어2");
        assertThat(s.examples().get("Cyrillic")).containsExactly("Привет");
        assertThat(s.examples().get(AddedTokens.PARTIAL)).containsExactly("bytes ED 95");
    }
}
