package dev.pedigree.report.bom;

import dev.pedigree.model.LineageClaim;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.ReportContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a BOM says beyond the comparison results. Immutable.
 *
 * @param suspectName display name of the suspect model (a repository id, a directory name); null:
 *     derived from its source ({@link ModelIdentity}); a local path is reduced to its last segment
 * @param suspectVersion component version (e.g. a revision); may be null
 * @param files SHA-256 of the input files; role {@code suspect} for the suspect's files, role
 *     {@code reference} or the reference's source for a reference's files
 * @param declaredClaims lineage the suspect declares; null when not read
 * @param referenceNames display name per reference source (e.g. a repository id); may be empty
 * @param pedigreeVersion version of the tool, listed under metadata.tools; may be null
 * @param timestamp BOM timestamp; null leaves it out, for byte-identical reruns
 * @param suspectPurl package URL of the suspect ({@code pkg:huggingface/owner/name@revision}); may be null
 * @param suspectLicenses licences the suspect's model card declares; may be empty
 */
public record BomContext(
        String suspectName,
        String suspectVersion,
        List<FileHash> files,
        List<LineageClaim> declaredClaims,
        Map<String, String> referenceNames,
        String pedigreeVersion,
        Instant timestamp,
        String suspectPurl,
        List<ModelCardLicenses.License> suspectLicenses) {

    /** Nothing beyond the results. */
    public static final BomContext EMPTY = new BomContext(null, null, List.of(), null, Map.of(), null, null);

    /** A context without package URL and licences. */
    public BomContext(
            String suspectName,
            String suspectVersion,
            List<FileHash> files,
            List<LineageClaim> declaredClaims,
            Map<String, String> referenceNames,
            String pedigreeVersion,
            Instant timestamp) {
        this(
                suspectName,
                suspectVersion,
                files,
                declaredClaims,
                referenceNames,
                pedigreeVersion,
                timestamp,
                null,
                List.of());
    }

    /**
     * The BOM extras of one comparison: the input hashes, declared claims and version of {@code
     * report}, no time stamp.
     *
     * @param suspectName component name of the suspect
     * @param referenceSource the reference's source, named {@code referenceName}
     */
    public static BomContext of(
            ReportContext report, String suspectName, String referenceSource, String referenceName) {
        ModelIdentity id = ModelIdentity.of(suspectName);
        return new BomContext(
                id.displayName(),
                id.revision(),
                report.inputHashes(),
                report.declaredClaims(),
                Map.of(referenceSource, ModelIdentity.of(referenceName).displayName()),
                report.pedigreeVersion(),
                null,
                id.purl(),
                ModelCardLicenses.of(suspectName));
    }

    /** This context with another time stamp (null: none). */
    public BomContext withTimestamp(Instant t) {
        return new BomContext(
                suspectName,
                suspectVersion,
                files,
                declaredClaims,
                referenceNames,
                pedigreeVersion,
                t,
                suspectPurl,
                suspectLicenses);
    }

    public BomContext {
        files = files == null ? List.of() : List.copyOf(files);
        declaredClaims = declaredClaims == null ? null : List.copyOf(declaredClaims);
        referenceNames = referenceNames == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(referenceNames));
        referenceNames.forEach((k, v) -> Objects.requireNonNull(v, "reference name of " + k));
        suspectLicenses = suspectLicenses == null ? List.of() : List.copyOf(suspectLicenses);
    }
}
