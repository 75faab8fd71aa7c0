package dev.pedigree.format.tokenizers.encode;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The pre-tokenizer regexes of the well-known byte-level BPE tokenizers, written out from their
 * published definitions (GPT-2's {@code encoder.py}, tiktoken's {@code openai_public.py}, llama.cpp's
 * {@code llm_tokenizer_bpe} table). Stateless.
 */
public final class SplitPatterns {
    /** GPT-2 (also r50k_base and p50k_base). */
    public static final String GPT2 =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** cl100k_base (GPT-3.5/4); Llama 3 uses the same pattern. */
    public static final String CL100K =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Llama 3 as llama.cpp writes it (case-insensitive contractions spelled out). */
    public static final String LLAMA3 =
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Qwen 2 / StableLM 2: like Llama 3 but single digits. */
    public static final String QWEN2 =
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** o200k_base (GPT-4o). */
    public static final String O200K = String.join(
            "|",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    /** GPT-2's pattern as llama.cpp lists it (without the final {@code \s+}; gaps are kept anyway). */
    private static final String GPT2_LLAMA_CPP =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    private static final String CJK_RUNS = "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+";

    private static final String DEEPSEEK_LLM_LETTERS =
            "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\\x{10400}-\\x{1044f}\\x{104b0}-\\x{104d3}\\x{104d8}-\\x{104fb}\\x{10c80}-\\x{10cb2}\\x{10cc0}-\\x{10cf2}\\x{118a0}-\\x{118df}\\x{1e900}-\\x{1e943}]+";

    private SplitPatterns() {}

    /** Rules for a tiktoken rank file, chosen by its file name ({@code cl100k_base.tiktoken}, ...). */
    public static Optional<List<SplitRule>> forTiktoken(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.contains("o200k")) {
            return Optional.of(List.of(SplitRule.isolated(O200K)));
        }
        if (n.contains("cl100k")) {
            return Optional.of(List.of(SplitRule.isolated(CL100K)));
        }
        if (n.contains("r50k") || n.contains("p50k") || n.contains("gpt2")) {
            return Optional.of(List.of(SplitRule.isolated(GPT2)));
        }
        return Optional.empty();
    }

    /**
     * Rules for a GGUF {@code tokenizer.ggml.pre} identifier, as llama.cpp applies them (each regex
     * in turn, matches and gaps isolated).
     *
     * @return empty for identifiers this table does not know
     */
    public static Optional<List<SplitRule>> forGgufPre(String pre) {
        if (pre == null) {
            return Optional.empty();
        }
        List<String> regexes = switch (pre) {
            case "default" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_LLAMA_CPP, "\\p{N}+", "[0-9][0-9][0-9]");
            case "llama3",
                    "llama-v3",
                    "llama-bpe",
                    "falcon3",
                    "dbrx",
                    "smaug-bpe",
                    "chatglm-bpe",
                    "pixtral",
                    "tekken-llama",
                    "gpt-4o",
                    "llama4" -> List.of(pre.equals("gpt-4o") || pre.equals("llama4") ? O200K : LLAMA3);
            case "deepseek-llm" ->
                List.of(
                        "[\r\n]",
                        DEEPSEEK_LLM_LETTERS,
                        "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
                        "\\s+$",
                        CJK_RUNS,
                        "\\p{N}+");
            case "deepseek-coder" -> List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK_RUNS, "\\p{N}");
            case "deepseek-v3" ->
                List.of(
                        "\\p{N}{1,3}",
                        "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
                        "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");
            case "falcon" -> List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2_LLAMA_CPP, "[0-9][0-9][0-9]");
            case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b" ->
                List.of("\\p{N}", GPT2_LLAMA_CPP);
            case "gpt-2",
                    "gpt2",
                    "mpt",
                    "olmo",
                    "jais",
                    "trillion",
                    "roberta-bpe",
                    "phi-2",
                    "jina-v1-en",
                    "jina-es",
                    "jina-de",
                    "jina-v2-es",
                    "jina-v2-de",
                    "jina-v2-code",
                    "granite-docling" -> List.of(GPT2_LLAMA_CPP);
            case "stablelm2", "qwen2", "deepseek-r1-qwen", "hunyuan", "megrez" -> List.of(QWEN2);
            case "poro-chat", "bloom", "gpt3-finnish" ->
                List.of(" ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+");
            case "viking" -> List.of(" ?[^(\\s|.,!?\u2026\u3002\uff0c\u3001\u0964\u06d4\u060c)]+", "\\p{N}");
            case "tekken" ->
                List.of(
                        "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
            default -> List.of();
        };
        if (regexes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(regexes.stream().map(SplitRule::isolated).toList());
    }
}
