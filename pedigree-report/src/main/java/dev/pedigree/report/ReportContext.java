package dev.pedigree.report;

import dev.pedigree.model.LineageClaim;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Optional extras a human report shows beside the result. Every field may be null or empty; the
 * report leaves out what is absent. Immutable.
 *
 * @param commandLine the command that produced the result
 * @param pedigreeVersion version of the tool
 * @param inputHashes SHA-256 of the input files
 * @param declaredClaims lineage the suspect declares about itself; null when the declarations were
 *     not read (no check is shown), empty when they were read and there are none (an ancestor the
 *     weights find is then flagged as undeclared)
 * @param referenceName display name of the reference (e.g. a repository id) used in sentences and
 *     to match declared claims; null: derived from the reference's source path
 * @param languageFitness rows of the language-fitness table
 * @param addedTokenScripts script → count of added tokens, computed elsewhere; null: the report
 *     counts scripts over {@code TokenizerLineage.addedExamples} and says so
 * @param generatedAt a time stamp shown in the footer; leave null for byte-identical reruns
 * @param suspectName display name of the suspect (e.g. {@code --name}); null: derived from its source
 * @param addedTokenExamples script → a few readable added tokens ({@link AddedTokens}); null: the
 *     report lists {@code TokenizerLineage.addedExamples}
 */
public record ReportContext(
        String commandLine,
        String pedigreeVersion,
        List<FileHash> inputHashes,
        List<LineageClaim> declaredClaims,
        String referenceName,
        List<LanguageFitnessRow> languageFitness,
        Map<String, Long> addedTokenScripts,
        String generatedAt,
        String suspectName,
        Map<String, List<String>> addedTokenExamples) {

    /** No extras. */
    public static final ReportContext EMPTY =
            new ReportContext(null, null, List.of(), null, null, List.of(), null, null, null, null);

    public ReportContext {
        inputHashes = inputHashes == null ? List.of() : List.copyOf(inputHashes);
        declaredClaims = declaredClaims == null ? null : List.copyOf(declaredClaims);
        languageFitness = languageFitness == null ? List.of() : List.copyOf(languageFitness);
        if (addedTokenExamples != null) {
            Map<String, List<String>> ex = new LinkedHashMap<>();
            addedTokenExamples.forEach((k, v) -> ex.put(k, List.copyOf(v)));
            addedTokenExamples = java.util.Collections.unmodifiableMap(ex);
        }
        addedTokenScripts = addedTokenScripts == null
                ? null
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(addedTokenScripts));
    }

    /** The same context without the time stamp, for deterministic output (dossiers). */
    public ReportContext withoutGeneratedAt() {
        return new ReportContext(
                commandLine,
                pedigreeVersion,
                inputHashes,
                declaredClaims,
                referenceName,
                languageFitness,
                addedTokenScripts,
                null,
                suspectName,
                addedTokenExamples);
    }

    /** A builder starting from {@link #EMPTY}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private String commandLine;
        private String pedigreeVersion;
        private List<FileHash> inputHashes = List.of();
        private List<LineageClaim> declaredClaims;
        private String referenceName;
        private List<LanguageFitnessRow> languageFitness = List.of();
        private Map<String, Long> addedTokenScripts;
        private String generatedAt;
        private String suspectName;
        private Map<String, List<String>> addedTokenExamples;

        private Builder() {}

        public Builder addedTokenExamples(Map<String, List<String>> v) {
            addedTokenExamples = v;
            return this;
        }

        public Builder suspectName(String v) {
            suspectName = v;
            return this;
        }

        public Builder commandLine(String v) {
            commandLine = v;
            return this;
        }

        public Builder pedigreeVersion(String v) {
            pedigreeVersion = v;
            return this;
        }

        public Builder inputHashes(List<FileHash> v) {
            inputHashes = v;
            return this;
        }

        public Builder declaredClaims(List<LineageClaim> v) {
            declaredClaims = v;
            return this;
        }

        public Builder referenceName(String v) {
            referenceName = v;
            return this;
        }

        public Builder languageFitness(List<LanguageFitnessRow> v) {
            languageFitness = v;
            return this;
        }

        public Builder addedTokenScripts(Map<String, Long> v) {
            addedTokenScripts = v;
            return this;
        }

        public Builder generatedAt(String v) {
            generatedAt = v;
            return this;
        }

        public ReportContext build() {
            return new ReportContext(
                    commandLine,
                    pedigreeVersion,
                    inputHashes,
                    declaredClaims,
                    referenceName,
                    languageFitness,
                    addedTokenScripts,
                    generatedAt,
                    suspectName,
                    addedTokenExamples);
        }
    }
}
