package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SentencePiece Unigram (T5, XLM-R, ALBERT, Gemma-style {@code tokenizer.model}, GGUF {@code t5}):
 * Viterbi search for the segmentation whose piece scores sum highest. A character no piece covers
 * becomes the unknown token with SentencePiece's penalty (lowest score minus 10), consecutive unknowns
 * fuse into one, and with byte fallback an unknown span becomes its UTF-8 bytes instead. User-defined
 * pieces score as SentencePiece scores them ({@code length * maxScore - 0.1}), so they win where they
 * match. Immutable and thread-safe.
 */
final class UnigramEncoder extends AbstractEncoder {
    private static final float UNK_PENALTY = 10f;

    private final SentencePieceNormalizer normalizer;
    private final Map<String, Integer> pieceId = new HashMap<>();
    private final Map<Integer, Float> score = new HashMap<>();
    private final int maxPieceChars;
    private final float unkScore;
    private final int[] byteToken = new int[256];
    private final boolean byteFallback;
    private final int unkId;

    UnigramEncoder(Vocabulary v, List<Token> splitTokens, SentencePieceNormalizer normalizer, boolean byteFallback) {
        super(v, splitTokens);
        this.normalizer = normalizer;
        Arrays.fill(byteToken, -1);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (Token t : v.tokens()) {
            if (t.kind() == dev.pedigree.model.TokenKind.NORMAL && !Float.isNaN(t.score())) {
                min = Math.min(min, t.score());
                max = Math.max(max, t.score());
            }
        }
        if (min == Float.POSITIVE_INFINITY) {
            min = 0f;
            max = 0f;
        }
        int longest = 1;
        for (Token t : v.tokens()) {
            switch (t.kind()) {
                case NORMAL -> {
                    pieceId.putIfAbsent(t.text(), t.id());
                    score.put(t.id(), Float.isNaN(t.score()) ? min : t.score());
                    longest = Math.max(
                            longest, t.text().codePointCount(0, t.text().length()));
                }
                case ADDED -> {
                    int len = t.text().codePointCount(0, t.text().length());
                    pieceId.putIfAbsent(t.text(), t.id());
                    score.put(t.id(), len * max - 0.1f);
                    longest = Math.max(longest, len);
                }
                case BYTE -> {
                    byte[] b = t.bytes();
                    if (b.length == 1 && byteToken[b[0] & 0xFF] < 0) {
                        byteToken[b[0] & 0xFF] = t.id();
                    }
                }
                case SPECIAL, UNUSED, UNKNOWN -> {}
            }
        }
        this.maxPieceChars = Math.min(longest, 256);
        this.unkScore = min - UNK_PENALTY;
        int present = 0;
        for (int id : byteToken) {
            present += id >= 0 ? 1 : 0;
        }
        this.byteFallback = byteFallback && present == 256;
        this.unkId = TokenTable.unknownId(v, "<unk>");
    }

    @Override
    public String description() {
        return "SentencePiece Unigram (Viterbi" + (byteFallback ? ", byte fallback" : "") + ")";
    }

    @Override
    void encodeText(String raw, boolean first, PreTokenizer.IntBuffer out) {
        String s = normalizer.normalize(raw, first);
        if (s.isEmpty()) {
            return;
        }
        int n = s.codePointCount(0, s.length());
        int[] offset = new int[n + 1];
        for (int i = 0, at = 0; i < n; i++) {
            offset[i] = at;
            at += Character.charCount(s.codePointAt(at));
            offset[i + 1] = at;
        }
        double[] best = new double[n + 1];
        int[] from = new int[n + 1];
        int[] via = new int[n + 1]; // piece id, or -1 for an unknown character
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        best[0] = 0;
        for (int i = 0; i < n; i++) {
            if (best[i] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            boolean single = false;
            for (int len = 1; len <= maxPieceChars && i + len <= n; len++) {
                Integer id = pieceId.get(s.substring(offset[i], offset[i + len]));
                if (id == null) {
                    continue;
                }
                single |= len == 1;
                double cand = best[i] + score.get(id);
                if (cand > best[i + len]) {
                    best[i + len] = cand;
                    from[i + len] = i;
                    via[i + len] = id;
                }
            }
            if (!single) {
                double cand = best[i] + unkScore;
                if (cand > best[i + 1]) {
                    best[i + 1] = cand;
                    from[i + 1] = i;
                    via[i + 1] = -1;
                }
            }
        }
        // Walk back, then emit left to right, fusing runs of unknown characters.
        PreTokenizer.IntBuffer path = new PreTokenizer.IntBuffer(16);
        for (int at = n; at > 0; at = from[at]) {
            path.add(at);
        }
        int[] ends = path.toArray();
        int unknownStart = -1;
        int prevEnd = 0;
        for (int k = ends.length - 1; k >= 0; k--) {
            int e = ends[k];
            int id = via[e];
            if (id < 0) {
                if (unknownStart < 0) {
                    unknownStart = prevEnd;
                }
            } else {
                if (unknownStart >= 0) {
                    emitUnknown(s.substring(offset[unknownStart], offset[prevEnd]), out);
                    unknownStart = -1;
                }
                out.add(id);
            }
            prevEnd = e;
        }
        if (unknownStart >= 0) {
            emitUnknown(s.substring(offset[unknownStart], offset[n]), out);
        }
    }

    private void emitUnknown(String text, PreTokenizer.IntBuffer out) {
        if (byteFallback) {
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                out.add(byteToken[b & 0xFF]);
            }
        } else if (unkId >= 0) {
            out.add(unkId);
        }
    }
}
