package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE (GPT-2, tiktoken, Llama 3, Qwen, ...): the pre-tokenizer cuts the text, each piece
 * becomes its UTF-8 bytes, one symbol per byte, and symbols merge by rank. With explicit merges the
 * rank is the merge's position; for tiktoken the rank of a pair is the rank (= id) of the token
 * spelling their concatenated bytes. Immutable and thread-safe.
 */
final class ByteLevelBpeEncoder extends AbstractEncoder {
    private static final int CACHE_LIMIT = 100_000;

    private final PreTokenizer pre;
    private final boolean addPrefixSpace;
    private final boolean ignoreMerges;
    private final Map<String, Integer> idOfBytes = new HashMap<>();
    private final int[] byteId = new int[256];
    private final Map<Integer, byte[]> bytesOfId = new HashMap<>();
    private final BpeMerger.PairRanks ranks;
    private final int unkId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final String description;

    ByteLevelBpeEncoder(
            Vocabulary v, List<Token> splitTokens, PreTokenizer pre, boolean addPrefixSpace, boolean ignoreMerges) {
        super(v, splitTokens);
        this.pre = pre;
        this.addPrefixSpace = addPrefixSpace;
        Arrays.fill(byteId, -1);
        Map<String, Integer> idOfText = new HashMap<>();
        for (Token t : v.tokens()) {
            if (!t.kind().regular()) {
                continue;
            }
            byte[] b = t.bytes();
            bytesOfId.put(t.id(), b);
            idOfBytes.putIfAbsent(key(b), t.id());
            idOfText.putIfAbsent(t.text(), t.id());
            if (b.length == 1 && byteId[b[0] & 0xFF] < 0) {
                byteId[b[0] & 0xFF] = t.id();
            }
        }
        this.unkId = TokenTable.unknownId(v);
        if (v.merges().isEmpty()) {
            // tiktoken: a pair merges if its concatenation is a token; its rank is that token's id.
            this.ignoreMerges = true;
            this.ranks = (l, r) -> {
                byte[] a = bytesOfId.get(l);
                byte[] b = bytesOfId.get(r);
                if (a == null || b == null) {
                    return -1;
                }
                byte[] c = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, c, a.length, b.length);
                Integer id = idOfBytes.get(key(c));
                return id == null ? -1 : ((long) id << 32) | id;
            };
        } else {
            this.ignoreMerges = ignoreMerges;
            Map<Long, Long> pairs = new HashMap<>(v.merges().size() * 2);
            int rank = 0;
            for (Vocabulary.Merge m : v.merges()) {
                Integer l = idOfText.get(m.left());
                Integer r = idOfText.get(m.right());
                Integer j = idOfText.get(m.left() + m.right());
                if (l != null && r != null && j != null) {
                    pairs.putIfAbsent(pairKey(l, r), ((long) rank << 32) | j);
                }
                rank++;
            }
            this.ranks = (l, r) -> {
                Long found = pairs.get(pairKey(l, r));
                return found == null ? -1 : found;
            };
        }
        this.description = (v.type() == TokenizerType.TIKTOKEN || v.merges().isEmpty()
                        ? "byte-level BPE (tiktoken ranks)"
                        : "byte-level BPE (" + v.merges().size() + " merges)")
                + ", " + pre.rules().size() + " split rule(s)"
                + (this.ignoreMerges ? ", whole-piece lookup first" : "");
    }

    private static long pairKey(int l, int r) {
        return ((long) l << 32) | (r & 0xFFFFFFFFL);
    }

    private static String key(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    void encodeText(String text, boolean first, PreTokenizer.IntBuffer out) {
        if (addPrefixSpace && first && !text.startsWith(" ")) {
            text = " " + text;
        }
        int[] ranges = pre.split(text);
        for (int i = 0; i < ranges.length; i += 2) {
            String piece = text.substring(ranges[i], ranges[i + 1]);
            int[] cached = cache.get(piece);
            if (cached == null) {
                cached = encodePiece(piece);
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(piece, cached);
            }
            out.addAll(cached);
        }
    }

    private int[] encodePiece(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            Integer whole = idOfBytes.get(key(bytes));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            symbols[i] = byteId[bytes[i] & 0xFF];
        }
        PreTokenizer.IntBuffer out = new PreTokenizer.IntBuffer(bytes.length);
        BpeMerger.merge(symbols, ranks, out);
        int[] ids = out.toArray();
        int kept = 0;
        for (int id : ids) {
            if (id >= 0) {
                ids[kept++] = id;
            } else if (unkId >= 0) {
                ids[kept++] = unkId;
            }
        }
        return Arrays.copyOf(ids, kept);
    }
}
