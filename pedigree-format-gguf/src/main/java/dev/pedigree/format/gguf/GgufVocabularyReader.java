package dev.pedigree.format.gguf;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a {@link Vocabulary} from the {@code tokenizer.ggml.*} keys of a GGUF file.
 *
 * <ul>
 *   <li>{@code gpt2} → {@link TokenizerType#BPE}, tokens mapped back through the byte-level
 *       alphabet;
 *   <li>{@code llama} → {@link TokenizerType#SENTENCEPIECE_BPE}, {@code t5} →
 *       {@link TokenizerType#UNIGRAM}, both normalised as SentencePiece pieces;
 *   <li>{@code bert} → {@link TokenizerType#WORDPIECE}: llama.cpp writes word-initial tokens with a
 *       phantom-space {@code ▁} and continuations bare, which normalise like SentencePiece
 *       pieces; files that still use the {@code ##} prefix go through
 *       {@link TokenText#fromWordPiece};
 *   <li>anything else → {@link TokenizerType#OTHER} with the UTF-8 bytes of the text.
 * </ul>
 *
 * Token types 1..6 map to normal, unknown, special (control), added (user-defined), unused and
 * byte. Special and added tokens keep their UTF-8 text as bytes. Stateless.
 */
final class GgufVocabularyReader {
    static final String TOKENS = "tokenizer.ggml.tokens";

    private GgufVocabularyReader() {}

    /** The vocabulary, or null if the file has no tokens (or {@code tokenizer.ggml.model} is {@code no_vocab}). */
    static Vocabulary read(GgufFile f, List<String> warnings) throws CorruptModelException {
        String model = f.string("tokenizer.ggml.model");
        Object tokObj = f.metadata().get(TOKENS);
        if ("no_vocab".equals(model) || tokObj == null) {
            return null;
        }
        String desc = f.description();
        if (!(tokObj instanceof GgufArray tokArr) || tokArr.elementType() != GgufValueType.STRING) {
            throw new CorruptModelException(desc, f.keyOffset(TOKENS), TOKENS + " is not an array of strings");
        }
        int n = tokArr.size();
        String[] tokens = (String[]) tokArr.backing();
        float[] scores = floats(f, "tokenizer.ggml.scores", n);
        int[] types = ints(f, "tokenizer.ggml.token_type", n);
        TokenizerType type = switch (model == null ? "" : model) {
            case "gpt2" -> TokenizerType.BPE;
            case "llama" -> TokenizerType.SENTENCEPIECE_BPE;
            case "t5" -> TokenizerType.UNIGRAM;
            case "bert" -> TokenizerType.WORDPIECE;
            default -> TokenizerType.OTHER;
        };
        if (type == TokenizerType.OTHER) {
            warnings.add("tokenizer.ggml.model '" + model + "' is not normalised; token bytes are the UTF-8 text");
        }
        // llama.cpp's BERT conversion strips "##" from continuations and marks word-initial tokens
        // with a phantom-space "\u2581" instead; older files may still carry "##".
        boolean phantomSpace = false;
        if (type == TokenizerType.WORDPIECE) {
            for (String t : tokens) {
                if (t.startsWith("\u2581")) {
                    phantomSpace = true;
                    break;
                }
            }
        }
        List<Token> out = new ArrayList<>(n);
        int notByteLevel = 0;
        for (int i = 0; i < n; i++) {
            String text = tokens[i];
            TokenKind kind = kind(types == null ? 1 : types[i]);
            byte[] bytes;
            if (kind == TokenKind.SPECIAL || kind == TokenKind.ADDED) {
                bytes = text.getBytes(StandardCharsets.UTF_8);
            } else {
                bytes = switch (type) {
                    case BPE -> {
                        byte[] b = TokenText.fromByteLevel(text);
                        if (b == null) {
                            notByteLevel++;
                            b = text.getBytes(StandardCharsets.UTF_8);
                        }
                        yield b;
                    }
                    case SENTENCEPIECE_BPE, UNIGRAM -> TokenText.fromSentencePiece(text);
                    case WORDPIECE ->
                        phantomSpace ? TokenText.fromSentencePiece(text) : TokenText.fromWordPiece(text, "##");
                    case TIKTOKEN, OTHER -> text.getBytes(StandardCharsets.UTF_8);
                };
            }
            out.add(new Token(i, bytes, text, kind, scores == null ? Float.NaN : scores[i]));
        }
        if (notByteLevel > 0) {
            warnings.add(
                    notByteLevel
                            + " normal token(s) of the gpt2 vocabulary use characters outside the byte-level alphabet; kept as UTF-8");
        }
        List<Vocabulary.Merge> merges = merges(f, warnings);
        return new Vocabulary(type, out, merges, f.string("tokenizer.ggml.pre"), desc);
    }

    static TokenKind kind(int t) {
        return switch (t) {
            case 2 -> TokenKind.UNKNOWN;
            case 3 -> TokenKind.SPECIAL;
            case 4 -> TokenKind.ADDED;
            case 5 -> TokenKind.UNUSED;
            case 6 -> TokenKind.BYTE;
            default -> TokenKind.NORMAL;
        };
    }

    private static float[] floats(GgufFile f, String key, int n) throws CorruptModelException {
        Object v = f.metadata().get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof GgufArray a) || a.elementType() != GgufValueType.FLOAT32 || a.size() != n) {
            throw new CorruptModelException(
                    f.description(), f.keyOffset(key), key + " must be an f32 array of " + n + " elements, found " + v);
        }
        return (float[]) a.backing();
    }

    private static int[] ints(GgufFile f, String key, int n) throws CorruptModelException {
        Object v = f.metadata().get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof GgufArray a) || !(a.backing() instanceof int[] arr) || a.size() != n) {
            throw new CorruptModelException(
                    f.description(), f.keyOffset(key), key + " must be an i32 array of " + n + " elements, found " + v);
        }
        return arr;
    }

    private static List<Vocabulary.Merge> merges(GgufFile f, List<String> warnings) throws CorruptModelException {
        String key = "tokenizer.ggml.merges";
        Object v = f.metadata().get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof GgufArray a) || a.elementType() != GgufValueType.STRING) {
            throw new CorruptModelException(f.description(), f.keyOffset(key), key + " is not an array of strings");
        }
        String[] all = (String[]) a.backing();
        List<Vocabulary.Merge> out = new ArrayList<>(all.length);
        int bad = 0;
        for (String m : all) {
            // llama.cpp splits at the first space after the first character.
            int sp = m.length() > 1 ? m.indexOf(' ', 1) : -1;
            if (sp < 0) {
                bad++;
                continue;
            }
            out.add(new Vocabulary.Merge(m.substring(0, sp), m.substring(sp + 1)));
        }
        if (bad > 0) {
            warnings.add(bad + " merge(s) in " + key + " have no separating space and were skipped");
        }
        return out;
    }
}
