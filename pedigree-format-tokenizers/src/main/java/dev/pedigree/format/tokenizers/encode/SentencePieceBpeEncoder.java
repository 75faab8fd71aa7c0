package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE (Llama 2, Mistral, Phi-3; {@code tokenizer.model}, GGUF {@code llama} vocabularies,
 * byte-fallback {@code tokenizer.json}): the normalised text starts as one symbol per code point and
 * the adjacent pair whose concatenation is the best piece merges first. "Best" is the highest piece
 * score ({@code tokenizer.model}, GGUF) or, when the vocabulary lists merges, the lowest merge rank;
 * ties go to the leftmost pair. A final symbol that is not a piece becomes its UTF-8 bytes as
 * {@code <0xNN>} pieces (byte fallback) or the unknown token. Immutable and thread-safe.
 */
final class SentencePieceBpeEncoder extends AbstractEncoder {
    private final SentencePieceNormalizer normalizer;
    private final Map<String, Integer> pieceId = new HashMap<>();
    private final Map<String, Integer> outputId = new HashMap<>();
    private final Map<Integer, Float> score = new HashMap<>();
    private final Map<String, Integer> mergeRank;
    private final int[] byteToken = new int[256];
    private final boolean byteFallback;
    private final int unkId;

    SentencePieceBpeEncoder(
            Vocabulary v, List<Token> splitTokens, SentencePieceNormalizer normalizer, boolean byteFallback) {
        super(v, splitTokens);
        this.normalizer = normalizer;
        Arrays.fill(byteToken, -1);
        for (Token t : v.tokens()) {
            switch (t.kind()) {
                case NORMAL, ADDED -> {
                    pieceId.putIfAbsent(t.text(), t.id());
                    outputId.putIfAbsent(t.text(), t.id());
                    score.put(t.id(), Float.isNaN(t.score()) ? 0f : t.score());
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
        int bytesPresent = 0;
        for (int id : byteToken) {
            bytesPresent += id >= 0 ? 1 : 0;
        }
        this.byteFallback = byteFallback && bytesPresent == 256;
        this.unkId = TokenTable.unknownId(v, "<unk>");
        if (v.merges().isEmpty()) {
            mergeRank = null;
        } else {
            mergeRank = new HashMap<>(v.merges().size() * 2);
            int rank = 0;
            for (Vocabulary.Merge m : v.merges()) {
                mergeRank.putIfAbsent(m.left() + '\u0000' + m.right(), rank++);
            }
        }
    }

    @Override
    public String description() {
        return "SentencePiece BPE (" + (mergeRank == null ? "piece scores" : mergeRank.size() + " merges")
                + (byteFallback ? ", byte fallback" : "") + ")";
    }

    private record Bigram(int left, int right, float score, int size) {}

    @Override
    void encodeText(String raw, boolean first, PreTokenizer.IntBuffer out) {
        String s = normalizer.normalize(raw, first);
        if (s.isEmpty()) {
            return;
        }
        int n = s.codePointCount(0, s.length());
        int[] start = new int[n];
        int[] end = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            at += Character.charCount(s.codePointAt(at));
            end[i] = at;
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(
                (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, s, start, end, i, i + 1);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (end[b.left] == start[b.left]
                    || end[b.right] == start[b.right]
                    || next[b.left] != b.right
                    || (end[b.left] - start[b.left]) + (end[b.right] - start[b.right]) != b.size) {
                continue; // stale
            }
            end[b.left] = end[b.right];
            start[b.right] = end[b.right]; // marks the right symbol consumed
            next[b.left] = next[b.right];
            if (next[b.left] < n) {
                prev[next[b.left]] = b.left;
            }
            if (prev[b.left] >= 0) {
                offer(queue, s, start, end, prev[b.left], b.left);
            }
            if (next[b.left] < n) {
                offer(queue, s, start, end, b.left, next[b.left]);
            }
        }
        for (int i = 0; i < n; i = next[i]) {
            emit(s.substring(start[i], end[i]), out);
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String s, int[] start, int[] end, int l, int r) {
        float sc;
        if (mergeRank != null) {
            Integer rank = mergeRank.get(s.substring(start[l], end[l]) + '\u0000' + s.substring(start[r], end[r]));
            if (rank == null || !pieceId.containsKey(s.substring(start[l], end[r]))) {
                return;
            }
            sc = -rank;
        } else {
            Integer id = pieceId.get(s.substring(start[l], end[r]));
            if (id == null) {
                return;
            }
            sc = score.get(id);
        }
        queue.add(new Bigram(l, r, sc, end[r] - start[l]));
    }

    private void emit(String symbol, PreTokenizer.IntBuffer out) {
        Integer id = outputId.get(symbol);
        if (id != null) {
            out.add(id);
            return;
        }
        if (byteFallback) {
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                out.add(byteToken[b & 0xFF]);
            }
        } else if (unkId >= 0) {
            out.add(unkId);
        }
    }
}
