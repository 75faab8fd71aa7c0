package dev.pedigree.model;

/** Container formats; {@link #jsonName()} is the spelling used in the JSON contracts. */
public enum ModelFormat {
    SAFETENSORS("safetensors"),
    GGUF("gguf"),
    ONNX("onnx"),
    PYTORCH("pytorch"),
    HF_DIRECTORY("hf-directory"),
    TOKENIZER("tokenizer");

    private final String jsonName;

    ModelFormat(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }
}
