package dev.pedigree.attest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only training ledger: a JSON Lines file of {@link LedgerEntry} objects in canonical
 * JSON, one per recorded checkpoint, hash-chained. Checkpoint-sample sidecars ({@link CheckpointSample}) live in the directory
 * {@code <ledger file name>.fp/} next to it. Reading parses syntax and field types only; whether
 * the chain holds is {@link ChainVerifier}'s question. Stateless; appends take an exclusive file
 * lock, so concurrent writers in other processes serialise.
 */
public final class Ledger {
    /** Largest ledger accepted (about a million entries). */
    public static final long MAX_BYTES = 1L << 30;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Ledger() {}

    /**
     * One parsed line.
     *
     * @param entry the fields as stored
     * @param recomputedHash SHA-256 of the canonical JSON of the stored object minus {@code
     *     entry_hash} (covers any extra member too)
     * @param lineNumber from 1
     * @param offset byte offset of the line in the file
     * @param canonical whether the line's bytes are exactly the canonical JSON of its object (no
     *     extra whitespace, member order or trailing bytes, which would leave the hash unchanged)
     */
    public record Line(LedgerEntry entry, String recomputedHash, int lineNumber, long offset, boolean canonical) {}

    /** Directory of the checkpoint-sample sidecars of {@code ledger}. */
    public static Path sidecarDirectory(Path ledger) {
        Path parent = ledger.toAbsolutePath().getParent();
        return parent.resolve(ledger.getFileName().toString() + ".fp");
    }

    /**
     * Reads every line.
     *
     * @throws CorruptModelException if a line is not a JSON object with the ledger's fields (the
     *     message names the file, line and byte offset)
     */
    public static List<Line> read(Path ledger) throws IOException, CorruptModelException {
        long size = Files.size(ledger);
        if (size > MAX_BYTES) {
            throw new CorruptModelException(ledger.toString(), 0, "ledger of " + size + " bytes exceeds " + MAX_BYTES);
        }
        return parse(Files.readAllBytes(ledger), ledger.toString());
    }

    static List<Line> parse(byte[] b, String source) throws CorruptModelException {
        List<Line> out = new ArrayList<>();
        int start = 0;
        int lineNo = 0;
        while (start < b.length) {
            int end = start;
            while (end < b.length && b[end] != '\n') {
                end++;
            }
            lineNo++;
            if (end == b.length) {
                throw new CorruptModelException(
                        source, start, "line " + lineNo + " is not terminated by a newline (truncated append?)");
            }
            if (end == start) {
                throw new CorruptModelException(source, start, "line " + lineNo + " is empty");
            }
            out.add(parseLine(b, start, end, lineNo, source));
            start = end + 1;
        }
        return out;
    }

    private static Line parseLine(byte[] b, int start, int end, int lineNo, String source)
            throws CorruptModelException {
        JsonNode n;
        try {
            n = MAPPER.readTree(b, start, end - start);
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getByteOffset());
            throw new CorruptModelException(
                    source,
                    start + Math.min(at, end - start),
                    "line " + lineNo + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CorruptModelException(source, start, "line " + lineNo + " is not valid JSON: " + e.getMessage());
        }
        Fields f = new Fields(source, start, lineNo);
        if (n == null || !n.isObject()) {
            throw f.bad("is not a JSON object");
        }
        if (!LedgerEntry.SCHEMA.equals(f.text(n, "schema"))) {
            throw f.bad("schema is not " + LedgerEntry.SCHEMA);
        }
        if (!ModelHash.DEFINITION.equals(f.text(n, "hash_definition"))) {
            throw f.bad("hash_definition is not " + ModelHash.DEFINITION);
        }
        JsonNode fp = n.get("fingerprint");
        if (fp == null || !fp.isObject()) {
            throw f.bad("fingerprint is missing");
        }
        long rows = f.integer(fp, "row_samples");
        long cols = f.integer(fp, "column_samples");
        if (rows < 1 || rows > Integer.MAX_VALUE || cols < 1 || cols > Integer.MAX_VALUE) {
            throw f.bad("fingerprint sample sizes out of range");
        }
        LedgerEntry.SidecarRef ref = new LedgerEntry.SidecarRef(
                f.text(fp, "path"),
                f.text(fp, "sha256"),
                f.integer(fp, "bytes"),
                f.integer(fp, "seed"),
                (int) rows,
                (int) cols);
        LedgerEntry e = new LedgerEntry(
                f.integer(n, "index"),
                f.integer(n, "step"),
                f.text(n, "checkpoint"),
                f.text(n, "format"),
                f.text(n, "model_hash"),
                f.integer(n, "tensors"),
                f.integer(n, "parameters"),
                f.integer(n, "stored_bytes"),
                ref,
                f.text(n, "recorded_at"),
                f.text(n, "prev_hash"),
                f.text(n, "entry_hash"));
        ObjectNode copy = ((ObjectNode) n).deepCopy();
        copy.remove("entry_hash");
        String recomputed;
        boolean canonical;
        try {
            recomputed = Sha256.hex(CanonicalJson.bytes(copy));
            canonical =
                    java.util.Arrays.equals(CanonicalJson.bytes(n), 0, CanonicalJson.bytes(n).length, b, start, end);
        } catch (IllegalArgumentException ex) {
            throw f.bad("holds a value without a canonical form: " + ex.getMessage());
        }
        return new Line(e, recomputed, lineNo, start, canonical);
    }

    /**
     * Appends {@code entry} (whose {@code entryHash} must be set) as one line, under an exclusive
     * lock, and forces it to disk. {@code expectedPrev} must be the current last entry's hash (or
     * {@link LedgerEntry#GENESIS} for an empty ledger): the append is refused if another writer got
     * there first.
     *
     * @throws LedgerException if the ledger's last entry is not {@code expectedPrev}
     */
    @SuppressWarnings("try") // the lock is held for the try block's duration, never referenced
    public static void append(Path ledger, LedgerEntry entry)
            throws IOException, CorruptModelException, LedgerException {
        try (FileChannel ch = FileChannel.open(
                        ledger, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            long size = ch.size();
            if (size > MAX_BYTES) {
                throw new CorruptModelException(
                        ledger.toString(), 0, "ledger of " + size + " bytes exceeds " + MAX_BYTES);
            }
            ByteBuffer all = ByteBuffer.allocate((int) size);
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // read fully
            }
            List<Line> lines = parse(all.array(), ledger.toString());
            String last = lines.isEmpty()
                    ? LedgerEntry.GENESIS
                    : lines.getLast().entry().entryHash();
            if (!last.equals(entry.prevHash())) {
                throw new LedgerException(
                        "ledger " + ledger + " moved on: last entry is " + last + ", not " + entry.prevHash());
            }
            byte[] line = entry.line();
            ByteBuffer out = ByteBuffer.allocate(line.length + 1)
                    .put(line)
                    .put((byte) '\n')
                    .flip();
            long pos = size;
            while (out.hasRemaining()) {
                pos += ch.write(out, pos);
            }
            ch.force(true);
        }
    }

    /** Typed field access whose errors name the file, line and offset. */
    private record Fields(String source, long offset, int lineNo) {
        CorruptModelException bad(String detail) {
            return new CorruptModelException(source, offset, "line " + lineNo + " " + detail);
        }

        String text(JsonNode n, String name) throws CorruptModelException {
            JsonNode v = n.get(name);
            if (v == null || !v.isTextual()) {
                throw bad("field " + name + " is missing or not a string");
            }
            return v.textValue();
        }

        long integer(JsonNode n, String name) throws CorruptModelException {
            JsonNode v = n.get(name);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
                throw bad("field " + name + " is missing or not an integer");
            }
            return v.longValue();
        }
    }
}
