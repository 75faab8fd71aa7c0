package dev.pedigree.model;

/** Tokenizer algorithm; {@link #jsonName()} is the contract spelling. */
public enum TokenizerType {
    BPE("bpe"),
    WORDPIECE("wordpiece"),
    UNIGRAM("unigram"),
    SENTENCEPIECE_BPE("sentencepiece-bpe"),
    TIKTOKEN("tiktoken"),
    OTHER("other");

    private final String jsonName;

    TokenizerType(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }
}
