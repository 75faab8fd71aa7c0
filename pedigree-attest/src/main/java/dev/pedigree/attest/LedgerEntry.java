package dev.pedigree.attest;

import dev.pedigree.io.Sha256;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of a training ledger: a checkpoint's canonical hash, step and the reference to its
 * checkpoint-sample sidecar,
 * chained to the previous line by {@code prevHash}. {@code entryHash} is the SHA-256 of the
 * {@link CanonicalJson canonical JSON} of the line's object without its {@code entry_hash} member.
 * Immutable.
 *
 * @param index position in the ledger, from 0
 * @param step training step (0 for the initial checkpoint)
 * @param checkpoint the checkpoint's path as given when recording (informative)
 * @param format container format of the checkpoint
 * @param modelHash {@link ModelHash} of the checkpoint
 * @param tensors logical parameter tensors
 * @param parameters parameter values
 * @param storedBytes bytes of the checkpoint's files
 * @param sidecar the checkpoint-sample sidecar ({@link CheckpointSample}); the line's JSON member
 *     is named {@code fingerprint}, as the ledger format has it
 * @param recordedAt ISO-8601 instant of recording (informative)
 * @param prevHash entry hash of the previous line; {@link #GENESIS} for the first
 * @param entryHash this line's hash
 */
public record LedgerEntry(
        long index,
        long step,
        String checkpoint,
        String format,
        String modelHash,
        long tensors,
        long parameters,
        long storedBytes,
        SidecarRef sidecar,
        String recordedAt,
        String prevHash,
        String entryHash) {
    public static final String SCHEMA = "pedigree/attest-ledger/v1";
    /** {@code prev_hash} of the first entry: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    public LedgerEntry {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(modelHash, "modelHash");
        Objects.requireNonNull(sidecar, "sidecar");
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(prevHash, "prevHash");
    }

    /**
     * Where the checkpoint-sample sidecar is and what it must hash to.
     *
     * @param path path relative to the ledger's directory
     * @param sha256 SHA-256 of the sidecar's bytes
     * @param bytes the sidecar's size
     */
    public record SidecarRef(String path, String sha256, long bytes, long seed, int rowSamples, int columnSamples) {
        public SidecarRef {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /** The JSON object of this entry without {@code entry_hash}, ready for {@link CanonicalJson}. */
    public Map<String, Object> unsignedJson() {
        Map<String, Object> fp = new LinkedHashMap<>();
        fp.put("path", sidecar.path());
        fp.put("sha256", sidecar.sha256());
        fp.put("bytes", sidecar.bytes());
        fp.put("seed", sidecar.seed());
        fp.put("row_samples", (long) sidecar.rowSamples());
        fp.put("column_samples", (long) sidecar.columnSamples());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("index", index);
        m.put("step", step);
        m.put("checkpoint", checkpoint);
        m.put("format", format);
        m.put("model_hash", modelHash);
        m.put("hash_definition", ModelHash.DEFINITION);
        m.put("tensors", tensors);
        m.put("parameters", parameters);
        m.put("stored_bytes", storedBytes);
        m.put("fingerprint", fp);
        m.put("recorded_at", recordedAt);
        m.put("prev_hash", prevHash);
        return m;
    }

    /** The hash this entry's fields produce. */
    public String computeHash() {
        return Sha256.hex(CanonicalJson.bytes(unsignedJson()));
    }

    /** This entry with {@code entryHash} set to {@link #computeHash()}. */
    public LedgerEntry sealed() {
        return new LedgerEntry(
                index,
                step,
                checkpoint,
                format,
                modelHash,
                tensors,
                parameters,
                storedBytes,
                sidecar,
                recordedAt,
                prevHash,
                computeHash());
    }

    /** The ledger line (canonical JSON with {@code entry_hash}, no newline). */
    public byte[] line() {
        Objects.requireNonNull(entryHash, "entryHash");
        Map<String, Object> m = unsignedJson();
        m.put("entry_hash", entryHash);
        return CanonicalJson.bytes(m);
    }
}
