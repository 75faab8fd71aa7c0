package dev.pedigree.format.tokenizers;

import java.util.Objects;

/**
 * The facts of a SentencePiece {@code tokenizer.model} that the {@link dev.pedigree.model.Vocabulary}
 * does not carry: the trainer's model type and the normaliser settings. Values absent from the file
 * hold the protobuf defaults of {@code sentencepiece_model.proto}.
 *
 * @param modelType the trainer's {@code model_type} (default {@link ModelType#UNIGRAM})
 * @param declaredVocabSize the trainer's {@code vocab_size} as written (default 8000), which need not
 *     equal the number of pieces
 * @param byteFallback the trainer's {@code byte_fallback} (default false)
 * @param addDummyPrefix the normaliser's {@code add_dummy_prefix} (default true)
 * @param removeExtraWhitespaces the normaliser's {@code remove_extra_whitespaces} (default true)
 * @param escapeWhitespaces the normaliser's {@code escape_whitespaces} (default true)
 * @param treatWhitespaceAsSuffix the trainer's {@code treat_whitespace_as_suffix} (default false)
 * @param splitDigits the trainer's {@code split_digits} (default false)
 * @param normalizerName the normaliser's {@code name} (for example {@code nmt_nfkc} or {@code identity});
 *     null if absent
 * @param unkId the trainer's {@code unk_id} (default 0)
 * @param bosId the trainer's {@code bos_id} (default 1; -1 disables)
 * @param eosId the trainer's {@code eos_id} (default 2; -1 disables)
 * @param padId the trainer's {@code pad_id} (default -1)
 */
public record SentencePieceSpec(
        ModelType modelType,
        int declaredVocabSize,
        boolean byteFallback,
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces,
        boolean escapeWhitespaces,
        boolean treatWhitespaceAsSuffix,
        boolean splitDigits,
        String normalizerName,
        int unkId,
        int bosId,
        int eosId,
        int padId) {

    /** SentencePiece {@code TrainerSpec.ModelType}. */
    public enum ModelType {
        UNIGRAM(1),
        BPE(2),
        WORD(3),
        CHAR(4);

        private final int wireValue;

        ModelType(int wireValue) {
            this.wireValue = wireValue;
        }

        /** The enum number in {@code sentencepiece_model.proto}. */
        public int wireValue() {
            return wireValue;
        }

        /** The type for a wire value, or null if the value is not defined. */
        public static ModelType ofWireValue(long v) {
            for (ModelType t : values()) {
                if (t.wireValue == v) {
                    return t;
                }
            }
            return null;
        }
    }

    public SentencePieceSpec {
        Objects.requireNonNull(modelType);
    }
}
