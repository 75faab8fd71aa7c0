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
 * @param suspectName component name of the suspect model (e.g. a repository id); null: derived
 *     from its source path
 * @param suspectVersion component version (e.g. a revision); may be null
 * @param files SHA-256 of the input files; role {@code suspect} for the suspect's files, role
 *     {@code reference} or the reference's source for a reference's files
 * @param declaredClaims lineage the suspect declares; null when not read
 * @param referenceNames display name per reference source (e.g. a repository id); may be empty
 * @param pedigreeVersion version of the tool, listed under metadata.tools; may be null
 * @param timestamp BOM timestamp; null leaves it out, for byte-identical reruns
 */
public record BomContext(
        String suspectName,
        String suspectVersion,
        List<FileHash> files,
        List<LineageClaim> declaredClaims,
        Map<String, String> referenceNames,
        String pedigreeVersion,
        Instant timestamp) {

    /** Nothing beyond the results. */
    public static final BomContext EMPTY = new BomContext(null, null, List.of(), null, Map.of(), null, null);

    /**
     * The BOM extras of one comparison: the input hashes, declared claims and version of {@code
     * report}, no time stamp.
     *
     * @param suspectName component name of the suspect
     * @param referenceSource the reference's source, named {@code referenceName}
     */
    public static BomContext of(
            ReportContext report, String suspectName, String referenceSource, String referenceName) {
        return new BomContext(
                suspectName,
                null,
                report.inputHashes(),
                report.declaredClaims(),
                Map.of(referenceSource, referenceName),
                report.pedigreeVersion(),
                null);
    }

    public BomContext {
        files = files == null ? List.of() : List.copyOf(files);
        declaredClaims = declaredClaims == null ? null : List.copyOf(declaredClaims);
        referenceNames = referenceNames == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(referenceNames));
        referenceNames.forEach((k, v) -> Objects.requireNonNull(v, "reference name of " + k));
    }
}
