package dev.pedigree.model;

import java.util.Objects;

/**
 * A lineage statement the model makes about itself (model-card {@code base_model}, GGUF
 * {@code general.base_model.N.*}). It is reported as a claim and checked against the weights,
 * never taken as evidence.
 *
 * @param relation e.g. {@code base_model}, {@code base_model_relation:finetune}
 * @param value the declared ancestor (a repository id, name or URL)
 * @param origin where it was declared, e.g. {@code README.md front matter} or a GGUF key
 */
public record LineageClaim(String relation, String value, String origin) {
    public LineageClaim {
        Objects.requireNonNull(relation);
        Objects.requireNonNull(value);
        Objects.requireNonNull(origin);
    }
}
