package dev.pedigree.format.tokenizers;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.ProtoWireReader;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a SentencePiece {@code tokenizer.model}, a protobuf {@code ModelProto}:
 *
 * <pre>
 * message ModelProto {
 *   message SentencePiece { optional string piece = 1; optional float score = 2;
 *                           optional Type type = 3 [default = NORMAL]; }
 *   // Type: NORMAL 1, UNKNOWN 2, CONTROL 3, USER_DEFINED 4, UNUSED 5, BYTE 6
 *   repeated SentencePiece pieces = 1;
 *   optional TrainerSpec trainer_spec = 2;       // model_type 3, vocab_size 4, byte_fallback 35, ...
 *   optional NormalizerSpec normalizer_spec = 3; // name 1, add_dummy_prefix 3, ...
 * }
 * </pre>
 *
 * <p>Ids are positions in the file. Piece types map to kinds as NORMAL→{@link TokenKind#NORMAL},
 * UNKNOWN→{@link TokenKind#UNKNOWN}, CONTROL→{@link TokenKind#SPECIAL}, USER_DEFINED→{@link
 * TokenKind#ADDED}, UNUSED→{@link TokenKind#UNUSED}, BYTE→{@link TokenKind#BYTE}. A trainer type of
 * BPE gives {@link TokenizerType#SENTENCEPIECE_BPE}, UNIGRAM {@link TokenizerType#UNIGRAM}, WORD and
 * CHAR {@link TokenizerType#OTHER}.
 *
 * <p>Stateless and thread-safe.
 */
public final class SentencePieceModelReader {
    private static final int TYPE_NORMAL = 1;
    private static final int TYPE_UNKNOWN = 2;
    private static final int TYPE_CONTROL = 3;
    private static final int TYPE_USER_DEFINED = 4;
    private static final int TYPE_UNUSED = 5;
    private static final int TYPE_BYTE = 6;

    private SentencePieceModelReader() {}

    /** Reads a {@code tokenizer.model} file. */
    public static SentencePieceModel read(Path file) throws IOException, ModelFormatException {
        try (ByteSource in = ByteSource.map(file)) {
            return read(in);
        }
    }

    /**
     * Reads a SentencePiece model from a source; the source stays owned by the caller and nothing
     * returned refers to its memory.
     *
     * @throws CorruptModelException naming the source and offset of the first field that contradicts
     *     the schema (wrong wire type, unknown piece type, truncation, no pieces)
     */
    public static SentencePieceModel read(ByteSource in) throws IOException, ModelFormatException {
        String source = in.description();
        MemorySegment all = in.slice(0, in.size());
        ProtoWireReader r = new ProtoWireReader(source, all, 0);
        List<Token> tokens = new ArrayList<>();
        Spec spec = new Spec();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    long at = r.tagOffset();
                    if (tokens.size() >= TokenizerJsonReader.MAX_ENTRIES) {
                        throw new UnsupportedModelException(
                                source,
                                at,
                                "SentencePiece model has more than " + TokenizerJsonReader.MAX_ENTRIES + " pieces");
                    }
                    tokens.add(readPiece(r.nested(), tokens.size(), at));
                }
                case 2 -> readTrainerSpec(r.nested(), spec);
                case 3 -> readNormalizerSpec(r.nested(), spec);
                default -> r.skipValue();
            }
        }
        if (tokens.isEmpty()) {
            throw new CorruptModelException(source, 0, "SentencePiece model holds no pieces (field 1)");
        }
        SentencePieceSpec facts = spec.build();
        TokenizerType type = switch (facts.modelType()) {
            case UNIGRAM -> TokenizerType.UNIGRAM;
            case BPE -> TokenizerType.SENTENCEPIECE_BPE;
            case WORD, CHAR -> TokenizerType.OTHER;
        };
        return new SentencePieceModel(new Vocabulary(type, tokens, List.of(), null, source), facts);
    }

    private static Token readPiece(ProtoWireReader p, int id, long at) throws CorruptModelException {
        String piece = null;
        float score = 0f;
        long type = TYPE_NORMAL;
        long typeAt = at;
        while (p.next()) {
            switch (p.field()) {
                case 1 -> piece = p.string();
                case 2 -> score = Float.intBitsToFloat(p.fixed32());
                case 3 -> {
                    typeAt = p.tagOffset();
                    type = p.varint();
                }
                default -> p.skipValue();
            }
        }
        if (piece == null) {
            throw new CorruptModelException(p.source(), at, "SentencePiece piece " + id + " has no text (field 1)");
        }
        if (piece.isEmpty()) {
            throw new CorruptModelException(p.source(), at, "SentencePiece piece " + id + " is empty");
        }
        if (!Float.isFinite(score)) {
            throw new CorruptModelException(
                    p.source(), at, "SentencePiece piece " + id + " has non-finite score " + score);
        }
        TokenKind kind = switch ((int) Math.min(type, Integer.MAX_VALUE)) {
            case TYPE_NORMAL -> TokenKind.NORMAL;
            case TYPE_UNKNOWN -> TokenKind.UNKNOWN;
            case TYPE_CONTROL -> TokenKind.SPECIAL;
            case TYPE_USER_DEFINED -> TokenKind.ADDED;
            case TYPE_UNUSED -> TokenKind.UNUSED;
            case TYPE_BYTE -> TokenKind.BYTE;
            default ->
                throw new CorruptModelException(
                        p.source(), typeAt, "SentencePiece piece " + id + " has undefined type " + type);
        };
        byte[] bytes;
        if (kind == TokenKind.BYTE) {
            if (!TokenText.isBytePiece(piece)) {
                throw new CorruptModelException(
                        p.source(), at, "SentencePiece BYTE piece " + id + " is '" + piece + "', not <0xNN>");
            }
            bytes = TokenText.fromSentencePiece(piece);
        } else if (kind == TokenKind.NORMAL) {
            bytes = TokenText.fromSentencePiece(piece);
        } else {
            bytes = piece.getBytes(StandardCharsets.UTF_8);
        }
        return new Token(id, bytes, piece, kind, score);
    }

    private static void readTrainerSpec(ProtoWireReader t, Spec s) throws CorruptModelException {
        while (t.next()) {
            switch (t.field()) {
                case 3 -> {
                    long at = t.tagOffset();
                    long v = t.varint();
                    s.modelType = SentencePieceSpec.ModelType.ofWireValue(v);
                    if (s.modelType == null) {
                        throw new CorruptModelException(
                                t.source(),
                                at,
                                "trainer_spec.model_type " + v + " is not UNIGRAM 1, BPE 2, WORD 3 or CHAR 4");
                    }
                }
                case 4 -> s.vocabSize = (int) t.varint();
                case 24 -> s.whitespaceSuffix = t.varint() != 0;
                case 25 -> s.splitDigits = t.varint() != 0;
                case 35 -> s.byteFallback = t.varint() != 0;
                case 40 -> s.unkId = (int) t.varint();
                case 41 -> s.bosId = (int) t.varint();
                case 42 -> s.eosId = (int) t.varint();
                case 43 -> s.padId = (int) t.varint();
                default -> t.skipValue();
            }
        }
    }

    private static void readNormalizerSpec(ProtoWireReader n, Spec s) throws CorruptModelException {
        while (n.next()) {
            switch (n.field()) {
                case 1 -> s.normalizerName = n.string();
                case 3 -> s.addDummyPrefix = n.varint() != 0;
                case 4 -> s.removeExtraWhitespaces = n.varint() != 0;
                case 5 -> s.escapeWhitespaces = n.varint() != 0;
                default -> n.skipValue();
            }
        }
    }

    /** Protobuf defaults from sentencepiece_model.proto, overwritten by the fields present. */
    private static final class Spec {
        SentencePieceSpec.ModelType modelType = SentencePieceSpec.ModelType.UNIGRAM;
        int vocabSize = 8000;
        boolean byteFallback;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;
        boolean whitespaceSuffix;
        boolean splitDigits;
        String normalizerName;
        int unkId;
        int bosId = 1;
        int eosId = 2;
        int padId = -1;

        SentencePieceSpec build() {
            return new SentencePieceSpec(
                    modelType,
                    vocabSize,
                    byteFallback,
                    addDummyPrefix,
                    removeExtraWhitespaces,
                    escapeWhitespaces,
                    whitespaceSuffix,
                    splitDigits,
                    normalizerName,
                    unkId,
                    bosId,
                    eosId,
                    padId);
        }
    }
}
