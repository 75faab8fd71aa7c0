package dev.pedigree.format.tokenizers;

/** The tokenizer file layouts this package reads. */
public enum TokenizerFormat {
    /** Hugging Face {@code tokenizer.json}. */
    TOKENIZER_JSON,
    /** SentencePiece {@code tokenizer.model} (protobuf ModelProto). */
    SENTENCEPIECE_MODEL,
    /** OpenAI {@code .tiktoken} rank file. */
    TIKTOKEN,
    /** JSON rank file of the JavaScript tiktoken ports (Anthropic's {@code claude.json}, js-tiktoken's ranks). */
    TIKTOKEN_JSON,
    /** GPT-2 style {@code vocab.json} with {@code merges.txt}. */
    VOCAB_JSON_MERGES,
    /** BERT style {@code vocab.txt} (line number = id). */
    VOCAB_TXT
}
