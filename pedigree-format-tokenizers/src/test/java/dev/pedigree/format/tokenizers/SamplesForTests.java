package dev.pedigree.format.tokenizers;

import dev.pedigree.model.TokenText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Small tokenizer files with known contents, written by the tests themselves. */
final class SamplesForTests {
    private SamplesForTests() {}

    /** A byte-level BPE vocabulary: the 256 byte tokens, then merges building "Ġthe", "ing" and "Ġthing". */
    static final List<String[]> BYTE_LEVEL_MERGES = List.of(
            new String[] {"Ġ", "t"},
            new String[] {"h", "e"},
            new String[] {"Ġt", "he"},
            new String[] {"i", "n"},
            new String[] {"in", "g"},
            new String[] {"Ġt", "h"},
            new String[] {"Ġth", "ing"});

    /** The byte-level vocab as JSON object members in id order: 256 byte tokens, then merge results, then "<|endoftext|>". */
    static List<String> byteLevelVocab() {
        List<String> v = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            v.add(TokenText.toByteLevel(new byte[] {(byte) b}));
        }
        for (String[] m : BYTE_LEVEL_MERGES) {
            v.add(m[0] + m[1]);
        }
        v.add("<|endoftext|>");
        return v;
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String vocabObject(List<String> tokens) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < tokens.size(); i++) {
            sb.append(i == 0 ? "" : ",")
                    .append(jsonString(tokens.get(i)))
                    .append(':')
                    .append(i);
        }
        return sb.append('}').toString();
    }

    /** A byte-level BPE tokenizer.json; {@code pairs} picks the ["a","b"] merge encoding over "a b". */
    static String byteLevelTokenizerJson(boolean pairs) {
        List<String> vocab = byteLevelVocab();
        StringBuilder merges = new StringBuilder("[");
        for (int i = 0; i < BYTE_LEVEL_MERGES.size(); i++) {
            String[] m = BYTE_LEVEL_MERGES.get(i);
            merges.append(i == 0 ? "" : ",");
            merges.append(
                    pairs ? "[" + jsonString(m[0]) + "," + jsonString(m[1]) + "]" : jsonString(m[0] + " " + m[1]));
        }
        merges.append(']');
        int eot = vocab.size() - 1;
        return """
        {"version":"1.0","truncation":null,"padding":null,
         "added_tokens":[{"id":%d,"content":"<|endoftext|>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
         "normalizer":null,
         "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
         "post_processor":null,
         "decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
         "model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,
                  "fuse_unk":false,"byte_fallback":false,"vocab":%s,"merges":%s}}
        """.formatted(eot, vocabObject(vocab), merges);
    }

    /** A Llama-style SentencePiece BPE tokenizer.json with byte fallback. */
    static String sentencePieceBpeTokenizerJson() {
        List<String> vocab = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            vocab.add(String.format("<0x%02X>", b));
        }
        vocab.addAll(List.of("▁", "t", "h", "e", "▁t", "he", "▁the"));
        return """
        {"version":"1.0","added_tokens":[
          {"id":0,"content":"<unk>","special":true},{"id":1,"content":"<s>","special":true},{"id":2,"content":"</s>","special":true}],
         "normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]},
         "pre_tokenizer":null,
         "decoder":{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"}]},
         "model":{"type":"BPE","unk_token":"<unk>","byte_fallback":true,"fuse_unk":true,"vocab":%s,
                  "merges":["▁ t","h e","▁t he"]}}
        """.formatted(vocabObject(vocab));
    }

    static String unigramTokenizerJson() {
        return """
        {"version":"1.0","added_tokens":[{"id":0,"content":"<pad>","special":true},{"id":1,"content":"</s>","special":true},{"id":2,"content":"<unk>","special":true}],
         "pre_tokenizer":{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true},
         "model":{"type":"Unigram","unk_id":2,"byte_fallback":false,
                  "vocab":[["<pad>",0.0],["</s>",0.0],["<unk>",0.0],["▁",-2.5],["▁the",-3.25],["s",-4],["<0x41>",-9.5]]}}
        """;
    }

    static String wordPieceTokenizerJson(boolean withPrefixKey) {
        return """
        {"version":"1.0","added_tokens":[{"id":0,"content":"[PAD]","special":true},{"id":1,"content":"[UNK]","special":true},
           {"id":2,"content":"[CLS]","special":true},{"id":3,"content":"[SEP]","special":true},{"id":4,"content":"[MASK]","special":true}],
         "normalizer":{"type":"BertNormalizer","lowercase":true},"pre_tokenizer":{"type":"BertPreTokenizer"},
         "model":{"type":"WordPiece","unk_token":"[UNK]",%s"max_input_chars_per_word":100,
                  "vocab":{"[PAD]":0,"[UNK]":1,"[CLS]":2,"[SEP]":3,"[MASK]":4,"[unused0]":5,"the":6,"##ing":7,"th":8,"##e":9}}}
        """.formatted(withPrefixKey ? "\"continuing_subword_prefix\":\"##\"," : "");
    }

    static String wordLevelTokenizerJson() {
        return """
        {"model":{"type":"WordLevel","unk_token":"<unk>","vocab":{"<unk>":0,"hello":1,"world":2}},
         "pre_tokenizer":{"type":"Whitespace"}}
        """;
    }

    /** A small .tiktoken file: tokens "a".."z" at ranks 0..25, then "ab" and " the". */
    static byte[] tiktoken() {
        StringBuilder sb = new StringBuilder();
        int rank = 0;
        for (char c = 'a'; c <= 'z'; c++) {
            sb.append(b64(String.valueOf(c))).append(' ').append(rank++).append('\n');
        }
        sb.append(b64("ab")).append(' ').append(rank++).append('\n');
        sb.append(b64(" the")).append(' ').append(rank).append('\n');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------ protobuf writing for SentencePiece

    /** A minimal protobuf writer for SentencePiece ModelProto test files. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varintField(int field, long v) {
            tag(field, 0);
            varint(v);
            return this;
        }

        Proto fixed32Field(int field, float f) {
            tag(field, 5);
            int bits = Float.floatToIntBits(f);
            for (int i = 0; i < 4; i++) {
                out.write((bits >>> (8 * i)) & 0xFF);
            }
            return this;
        }

        Proto bytesField(int field, byte[] b) {
            tag(field, 2);
            varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto stringField(int field, String s) {
            return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytesField(field, m.bytes());
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void tag(int field, int wire) {
            varint(((long) field << 3) | wire);
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }

    static Proto piece(String text, float score, int type) {
        Proto p = new Proto().stringField(1, text).fixed32Field(2, score);
        if (type != 1) {
            p.varintField(3, type);
        }
        return p;
    }

    /**
     * A SentencePiece BPE model: {@code <unk>} (UNKNOWN), {@code <s>}, {@code </s>} (CONTROL), 256 byte
     * pieces, then {@code normal} pieces "▁t", "he", ... with falling scores, one USER_DEFINED and one
     * UNUSED piece.
     */
    static byte[] sentencePieceModel(int normal) {
        Proto m = new Proto();
        m.message(1, piece("<unk>", 0, 2));
        m.message(1, piece("<s>", 0, 3));
        m.message(1, piece("</s>", 0, 3));
        for (int b = 0; b < 256; b++) {
            m.message(1, piece(String.format("<0x%02X>", b), 0, 6));
        }
        for (int i = 0; i < normal; i++) {
            m.message(1, piece(i == 0 ? "▁t" : "▁w" + i, -i, 1));
        }
        m.message(1, piece("<user>", 0, 4));
        m.message(1, piece("<unused>", 0, 5));
        Proto trainer = new Proto()
                .varintField(3, 2)
                .varintField(4, 3 + 256 + normal + 2)
                .varintField(35, 1)
                .varintField(40, 0)
                .varintField(43, -1L);
        m.message(2, trainer);
        Proto normalizer =
                new Proto().stringField(1, "identity").varintField(3, 0).varintField(4, 0);
        m.message(3, normalizer);
        return m.bytes();
    }
}
