/**
 * The family tree: fingerprints of known models, an embedded registry of them, and
 * {@code pedigree identify}.
 *
 * <h2>Fingerprints</h2>
 *
 * {@link dev.pedigree.registry.Fingerprint} is Pedigree's canonical model fingerprint: seeded
 * row/column samples of every tensor (the same indices for every model with a dimension of that
 * size, {@link dev.pedigree.registry.DimensionSample}), token-keyed embedding and head rows of
 * anchor tokens, the tokenizer's regular tokens in creation order, and raw and canonical SHA-256 of
 * every tensor with its value statistics. Files ({@link dev.pedigree.registry.FingerprintCodec},
 * format version 1) are deterministic and carry a SHA-256 of their content. Sizes: under 2% of
 * the real ONNX models (0.7–1.9%), about 31 MB projected for Llama-3.1-405B. A suspect is compared
 * against a fingerprint with {@link dev.pedigree.registry.FingerprintComparator}, which runs the
 * unchanged lineage engine on the restricted pair; its Javadoc says what is weaker.
 *
 * <h2>Registry</h2>
 *
 * {@link dev.pedigree.registry.Registry}: one SQLite file (default
 * {@code ~/.local/share/pedigree/registry.db}; {@code --registry DB} beats
 * {@code PEDIGREE_REGISTRY}, see {@link dev.pedigree.registry.RegistryLocation}) with metadata,
 * fingerprints and the pre-filter indexes (tokenizer MinHash LSH, exact tensor hashes, residual
 * width). WAL mode, busy timeout and retried {@code BEGIN IMMEDIATE} transactions let several
 * processes add at once. Portable packs: {@link dev.pedigree.registry.RegistryPack}.
 *
 * <h2>Seeding, so that identify recognises what is at hand</h2>
 *
 * A fresh registry is empty. {@code pedigree registry seed PATH...}
 * ({@link dev.pedigree.registry.RegistrySeeder}) adds every model and tokenizer found, e.g.:
 *
 * <pre>
 * pedigree registry seed ../shared/fixtures                 # vocab-only GGUFs, tokenizers, tiny GGUF
 * pedigree registry seed /tmp/pedigree-real-models/dir-*    # real ONNX models (RealModels.directory(name))
 * </pre>
 *
 * The ONNX models ship inside the {@code dev.langchain4j:langchain4j-embeddings-*} jars on Maven
 * Central; the test kit extracts them (with their {@code tokenizer.json}) to
 * {@code ${java.io.tmpdir}/pedigree-real-models}. Outside the CLI,
 * {@code java -cp … dev.pedigree.registry.cli.RegistryCli registry seed PATH…} does the same.
 * Seeding twice is harmless (present names are skipped).
 *
 * <h2>Identify</h2>
 *
 * {@link dev.pedigree.registry.Identifier}: exact reuse from hashes first, then the pre-filter,
 * then the full comparison of the best candidates; {@link dev.pedigree.registry.IdentifyJson}
 * renders {@code pedigree/identify/v1}.
 */
package dev.pedigree.registry;
