/**
 * Encoding text with a tokenizer read by the parent package, and measuring how well tokenizers fit
 * a language.
 *
 * <p>{@link dev.pedigree.format.tokenizers.encode.Encoders} builds an {@link
 * dev.pedigree.format.tokenizers.encode.Encoder} for a tokenizer file, a GGUF model's vocabulary or
 * a bare {@link dev.pedigree.model.Vocabulary}: byte-level BPE (GPT-2, tiktoken, Llama 3, Qwen,
 * DeepSeek, Falcon, StarCoder, ... with their pre-tokenizer regexes, {@link
 * dev.pedigree.format.tokenizers.encode.SplitPatterns}), SentencePiece BPE with byte fallback,
 * SentencePiece Unigram and WordPiece with BERT's normaliser. The encoders reproduce llama.cpp's
 * reference tokenisations and the Hugging Face tokenizers library on the test corpora.
 *
 * <p>{@link dev.pedigree.format.tokenizers.encode.LanguageFitness} runs encoders over a corpus and
 * reports tokens per character and word, bytes per token, byte-fallback and unknown shares, and
 * which tokens a descendant vocabulary adds over its ancestor carry the gain. Everything here is
 * immutable or stateless and thread-safe.
 */
package dev.pedigree.format.tokenizers.encode;
