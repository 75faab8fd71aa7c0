package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.util.List;
import java.util.Optional;

/** Shared plumbing: the id table and the cutting out of added tokens before {@link #encodeText}. */
abstract class AbstractEncoder implements Encoder {
    final Vocabulary vocabulary;
    final TokenTable table;
    private final SpecialSplitter specials;

    AbstractEncoder(Vocabulary vocabulary, List<Token> splitTokens) {
        this.vocabulary = vocabulary;
        this.table = new TokenTable(vocabulary);
        this.specials = new SpecialSplitter(splitTokens);
    }

    @Override
    public final int[] encode(String text) {
        PreTokenizer.IntBuffer out = new PreTokenizer.IntBuffer(Math.max(16, text.length() / 3));
        if (text.isEmpty()) {
            return new int[0];
        }
        boolean afterSpecial = true;
        for (SpecialSplitter.Segment s : specials.split(text)) {
            if (s.id() >= 0) {
                out.add(s.id());
                afterSpecial = true;
            } else {
                encodeText(sanitize(s.text()), afterSpecial, out);
                afterSpecial = false;
            }
        }
        return out.toArray();
    }

    /**
     * Encodes text that holds no added token.
     *
     * @param first true at the start of the input or right after an added token (where SentencePiece
     *     adds its dummy prefix)
     */
    abstract void encodeText(String text, boolean first, PreTokenizer.IntBuffer out);

    @Override
    public final Vocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public final Optional<Token> token(int id) {
        return table.get(id);
    }

    /** Replaces unpaired surrogates with U+FFFD so that UTF-8 and code point walks agree. */
    static String sanitize(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad;
            if (Character.isHighSurrogate(c)) {
                bad = i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
                if (!bad) {
                    if (sb != null) {
                        sb.append(c).append(s.charAt(i + 1));
                    }
                    i++;
                    continue;
                }
            } else {
                bad = Character.isLowSurrogate(c);
            }
            if (bad && sb == null) {
                sb = new StringBuilder(s.length());
                sb.append(s, 0, i);
            }
            if (sb != null) {
                sb.append(bad ? '\uFFFD' : c);
            }
        }
        return sb == null ? s : sb.toString();
    }
}
