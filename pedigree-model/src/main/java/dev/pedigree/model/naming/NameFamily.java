package dev.pedigree.model.naming;

import dev.pedigree.model.TensorAddress;

/**
 * One naming scheme (a checkpoint family or file format). {@link TensorNaming} asks each family in
 * a fixed order; the first that recognises a name decides its address.
 */
sealed interface NameFamily
        permits GgufNames,
                ProjectorNames,
                VisionTowerNames,
                AudioNames,
                GlmNames,
                NeoxNames,
                Gpt2Names,
                BertNames,
                MetaNames,
                HfDecoderNames,
                FallbackNames {

    /** The address of {@code name}, or null when this family does not know the name. */
    TensorAddress classify(TensorName name, FamilyHints hints);
}
