package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns text into token ids the way one tokenizer does, without adding BOS/EOS or other
 * post-processing. Built by {@link Encoders}. Implementations are immutable and thread-safe; they
 * hold no open resources.
 *
 * <p>Encoding never throws for any {@link String} (unpaired surrogates are encoded as U+FFFD) and
 * runs in time close to linear in the text length.
 */
public interface Encoder {
    /** The token ids of {@code text}, in order. */
    int[] encode(String text);

    /** The vocabulary the ids refer to. */
    Vocabulary vocabulary();

    /** The algorithm and settings, for reports (for example {@code byte-level BPE, 1 split rule}). */
    String description();

    /** The vocabulary entry of an id that {@link #encode} returned. */
    Optional<Token> token(int id);

    /** The ids of {@code text} as their tokens' texts in the file's notation ({@code Ġhello}, {@code ▁the}, {@code ##ing}). */
    default List<String> encodeToPieces(String text) {
        int[] ids = encode(text);
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(token(id).map(Token::text).orElse("<" + id + ">"));
        }
        return out;
    }
}
