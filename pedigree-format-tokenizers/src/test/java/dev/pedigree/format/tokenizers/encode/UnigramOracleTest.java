package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.pedigree.format.tokenizers.Tokenizers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SentencePiece Unigram: a generated {@code tokenizer.json} with hand-picked scores, checked by hand
 * on a few strings and against the Hugging Face tokenizers library on 2,000 random strings.
 */
class UnigramOracleTest {
    static final String JSON = """
      {"version":"1.0","truncation":null,"padding":null,
       "added_tokens":[{"id":0,"content":"<unk>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
       "normalizer":null,
       "pre_tokenizer":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
       "post_processor":null,"decoder":null,
       "model":{"type":"Unigram","unk_id":0,"byte_fallback":false,"vocab":[
         ["<unk>",0.0],["\u2581",-2.0],["\u2581a",-1.5],["a",-3.0],["b",-3.2],["ab",-2.5],["\u2581ab",-4.5],
         ["c",-5.0],["abc",-6.0],["bc",-3.1],["\u2581b",-2.8],["e",-4.0],["ee",-5.5],["\uAC00",-3.0],["\u2581\uAC00",-2.2],
         ["\u2581abc",-3.3],["ce",-4.4],["\uAC00\uAC00",-4.93]]}}
      """;

    @Test
    void handCheckedSegmentations(@TempDir Path dir) throws Exception {
        Encoder e = encoder(dir);
        assertThat(e.description()).startsWith("SentencePiece Unigram");
        // "▁abc": whole piece -3.3 beats ▁a+bc (-4.6) and ▁ab+c (-9.5)
        assertThat(e.encodeToPieces("abc")).containsExactly("\u2581abc");
        // "▁ab": ▁a+b = -4.7 vs ▁ab = -4.5
        assertThat(e.encodeToPieces("ab")).containsExactly("\u2581ab");
        // unknown 'd' runs fuse into one <unk>
        assertThat(e.encodeToPieces("ddd")).containsExactly("\u2581", "<unk>");
        assertThat(e.encode("")).isEmpty();
    }

    @Test
    void matchesHuggingFaceOnRandomStrings(@TempDir Path dir) throws Exception {
        Encoder ours = encoder(dir);
        HuggingFaceTokenizer oracle = WordPieceOracleTest.oracle(dir.resolve("tokenizer.json"));
        Random rnd = new Random(7);
        String alphabet = "aabbcceed \uAC00";
        int same = 0;
        int n = 2000;
        String firstDiff = null;
        for (int i = 0; i < n; i++) {
            StringBuilder sb = new StringBuilder();
            sb.append(alphabet.charAt(
                    rnd.nextInt(alphabet.length() - 2))); // no leading space: HF's Metaspace would not add ▁ then
            for (int k = rnd.nextInt(20); k > 0; k--) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            int[] want = Arrays.stream(oracle.encode(s, false, false).getIds())
                    .mapToInt(x -> (int) x)
                    .toArray();
            int[] got = ours.encode(s);
            if (Arrays.equals(want, got)) {
                same++;
            } else if (firstDiff == null) {
                firstDiff = s + " want " + Arrays.toString(want) + " got " + Arrays.toString(got);
            }
        }
        System.out.println("Unigram vs HF tokenizers: " + same + "/" + n + " random strings identical"
                + (firstDiff == null ? "" : "; first difference: " + firstDiff));
        assertThat(same).isEqualTo(n);
    }

    private static Encoder encoder(Path dir) throws Exception {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.exists(json)) {
            Files.writeString(json, JSON, StandardCharsets.UTF_8);
        }
        return Encoders.of(Tokenizers.read(json));
    }
}
