/**
 * Readers that turn every tokenizer file format into the model's {@link dev.pedigree.model.Vocabulary}:
 * Hugging Face {@code tokenizer.json} ({@link dev.pedigree.format.tokenizers.TokenizerJsonReader}),
 * SentencePiece {@code tokenizer.model} ({@link dev.pedigree.format.tokenizers.SentencePieceModelReader}),
 * OpenAI {@code .tiktoken} ({@link dev.pedigree.format.tokenizers.TiktokenReader}), GPT-2 style
 * {@code vocab.json}+{@code merges.txt} ({@link dev.pedigree.format.tokenizers.VocabJsonMergesReader}) and
 * BERT {@code vocab.txt} ({@link dev.pedigree.format.tokenizers.VocabTxtReader}).
 *
 * <p>{@link dev.pedigree.format.tokenizers.Tokenizers} is the facade for callers that hold a file or a
 * Hugging Face directory; {@link dev.pedigree.format.tokenizers.TokenizerFileReader} plugs the same readers
 * into the {@link dev.pedigree.model.ModelReader} service. Every reader copies what it needs onto the heap
 * and closes its input before returning, so the results own no resources.
 */
package dev.pedigree.format.tokenizers;
