/**
 * Pedigree's model fingerprint: what it keeps of a model, its file, and how a model is compared
 * with one.
 *
 * <p>{@link dev.pedigree.fingerprint.Fingerprint}: seeded row/column samples of every tensor (the
 * same indices for every model with a dimension of that size,
 * {@link dev.pedigree.fingerprint.DimensionSample}), token-keyed embedding and head rows of anchor
 * tokens ({@link dev.pedigree.fingerprint.AnchorTokens}), the tokenizer's regular tokens in creation
 * order, and raw and canonical SHA-256 of every tensor with its value statistics
 * ({@link dev.pedigree.fingerprint.TensorStats}). Files
 * ({@link dev.pedigree.fingerprint.FingerprintCodec}, magic {@code PDGFPRNT}, format version 1) are
 * deterministic and carry a SHA-256 of their content. Sizes: under 2% of the real ONNX models
 * (0.7–1.9%), about 31 MB projected for Llama-3.1-405B. A suspect is compared against a fingerprint
 * with {@link dev.pedigree.fingerprint.FingerprintComparator}, which runs the unchanged lineage
 * engine on the restricted pair ({@link dev.pedigree.fingerprint.RestrictedTensor}); its Javadoc
 * says what is weaker.
 *
 * <p>The registry ({@code dev.pedigree.registry}) stores fingerprints and builds its pre-filter
 * sketches from them; attestation ledgers keep a record of their own
 * ({@code dev.pedigree.attest.CheckpointSample}), not this fingerprint.
 */
package dev.pedigree.fingerprint;
