/**
 * The family tree: an embedded registry of fingerprints of known models, and
 * {@code pedigree identify}.
 *
 * <h2>Fingerprints</h2>
 *
 * What the registry stores is Pedigree's model fingerprint, {@link
 * dev.pedigree.fingerprint.Fingerprint} (module {@code pedigree-fingerprint}: the fingerprint, its
 * file format and {@link dev.pedigree.fingerprint.FingerprintComparator}, which compares a suspect
 * with one). This package adds what a collection of them needs: the store, packs, seeding, the
 * pre-filter sketches ({@link dev.pedigree.registry.TokenSketch},
 * {@link dev.pedigree.registry.WeightSketch}) and identify.
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
 * {@code ${java.io.tmpdir}/pedigree-real-models}. The commands ({@code registry}, {@code identify},
 * {@code fingerprint}) live in {@code pedigree-cli} ({@code dev.pedigree.cli.registry}).
 * Seeding twice is harmless (present names are skipped).
 *
 * <h2>Identify</h2>
 *
 * {@link dev.pedigree.registry.Identifier}: exact reuse from hashes first, then the pre-filter,
 * then the full comparison of the best candidates; {@code pedigree-report} renders the
 * {@link dev.pedigree.registry.IdentifyResult} ({@code dev.pedigree.report.identify}: IdentifyJson,
 * {@code pedigree/identify/v1}, and IdentifyText).
 */
package dev.pedigree.registry;
