package dev.pedigree.format.tokenizers.encode;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which of a descendant's own tokens (those its ancestor's vocabulary lacks) carry its advantage
 * on a corpus. Immutable.
 *
 * @param descendant label of the tokenizer that extends the other
 * @param ancestor label of the tokenizer it extends
 * @param descendantOnlyEntries vocabulary entries whose bytes the ancestor lacks
 * @param descendantOnlyOccurrences how often the descendant emits any of them on the corpus
 * @param descendantOnlyShare {@code descendantOnlyOccurrences} over all descendant tokens
 * @param occurrencesByScript descendant-only occurrences summed per script, largest first
 * @param top the descendant-only tokens ranked by occurrences, at most the requested number
 */
public record VocabularyGain(
        String descendant,
        String ancestor,
        long descendantOnlyEntries,
        long descendantOnlyOccurrences,
        double descendantOnlyShare,
        Map<String, Long> occurrencesByScript,
        List<GainToken> top) {
    public VocabularyGain {
        Objects.requireNonNull(descendant);
        Objects.requireNonNull(ancestor);
        occurrencesByScript = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(occurrencesByScript));
        top = List.copyOf(top);
    }
}
