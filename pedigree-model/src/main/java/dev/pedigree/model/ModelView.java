package dev.pedigree.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The canonical view of one model (or tokenizer): its tensors with canonical addresses, its
 * configuration, its vocabulary and its declared lineage claims.
 *
 * <p>The view owns the mappings behind its tensors; close it when done. Reading tensors is
 * thread-safe; closing while another thread reads is not.
 */
public interface ModelView extends AutoCloseable {

    /** Path or URL the view was opened from. */
    String source();

    ModelFormat format();

    /** Architecture name (HF {@code model_type} or GGUF {@code general.architecture}); null if unknown. */
    String architecture();

    /** Configuration facts used by naming and splitting. */
    ArchitectureHints hints();

    /** Small configuration/metadata values (config.json, GGUF metadata minus large arrays). */
    Map<String, Object> metadata();

    /** Every stored tensor, in file order; fused tensors appear once with their fused role. */
    List<TensorRef> tensors();

    /** The tokenizer's vocabulary, if the input has one. */
    Optional<Vocabulary> vocabulary();

    /** Declared lineage (model card, GGUF keys). */
    List<LineageClaim> claims();

    /** The files that hold the model's bytes (for file hashes); empty for remote sources. */
    List<Path> files();

    /** Non-fatal observations made while reading. */
    List<String> warnings();

    @Override
    void close();
}
