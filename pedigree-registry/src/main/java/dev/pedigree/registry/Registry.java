package dev.pedigree.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintCodec;
import dev.pedigree.fingerprint.FingerprintTensor;
import dev.pedigree.forensics.ReportComponents;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * The registry of known models: one embedded SQLite file holding each model's metadata and
 * {@link Fingerprint}, plus the pre-filter indexes of {@link #candidates}: a MinHash LSH table over
 * tokenizer keys, an exact canonical-hash table of every non-trivial tensor and the residual width.
 * Nothing to install or start.
 *
 * <p>Concurrency: the database runs in WAL mode with a busy timeout; every write is one
 * {@code BEGIN IMMEDIATE} transaction retried on {@code SQLITE_BUSY}/{@code SQLITE_LOCKED}, so
 * several processes may add to the same file at once without losing an entry. One instance holds
 * one connection and is thread-safe (its methods are synchronised); close it when done.
 */
public final class Registry implements AutoCloseable {
    /** Schema version stored in the {@code meta} table. */
    public static final int SCHEMA_VERSION = 1;
    /** Tensors with fewer values are not indexed for exact reuse (too little to be distinctive). */
    public static final int MIN_REUSE_ELEMENTS = 64;

    private static final int BUSY_TIMEOUT_MS = 20_000;
    private static final int MAX_ATTEMPTS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Connection conn;

    private Registry(Path path, Connection conn) {
        this.path = path;
        this.conn = conn;
    }

    /**
     * Opens (creating if needed) the registry database at {@code db}.
     *
     * @throws RegistryException if the file is not a SQLite database or not a Pedigree registry, or
     *     stays locked
     */
    public static Registry open(Path db) throws RegistryException {
        Path abs = db.toAbsolutePath();
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
        } catch (IOException e) {
            throw new RegistryException("cannot create the directory of registry " + abs + ": " + e.getMessage(), e);
        }
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        cfg.enforceForeignKeys(true);
        cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        Connection c = null;
        try {
            c = cfg.createConnection("jdbc:sqlite:" + abs);
            Registry r = new Registry(abs, c);
            r.initialise();
            return r;
        } catch (SQLException e) {
            closeQuietly(c);
            throw new RegistryException("cannot open registry " + abs + ": " + e.getMessage(), e);
        } catch (RegistryException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing; the first error is the one reported
            }
        }
    }

    private void initialise() throws RegistryException, SQLException {
        retry("set WAL mode", () -> {
            try (Statement s = conn.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
            }
            return null;
        });
        write("create the schema", () -> {
            try (Statement s = conn.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
                s.execute("""
            CREATE TABLE IF NOT EXISTS models(
              id INTEGER PRIMARY KEY,
              name TEXT NOT NULL UNIQUE,
              organisation TEXT, license TEXT, revision TEXT, parents TEXT NOT NULL,
              parameters INTEGER NOT NULL, architecture TEXT, format TEXT NOT NULL, source TEXT NOT NULL,
              residual_width INTEGER NOT NULL, layers INTEGER NOT NULL, vocab_size INTEGER NOT NULL, tensors INTEGER NOT NULL,
              model_bytes INTEGER NOT NULL, minhash BLOB NOT NULL, weight_sketch BLOB NOT NULL,
              fingerprint_sha256 TEXT NOT NULL, fingerprint_bytes INTEGER NOT NULL)""");
                s.execute("CREATE INDEX IF NOT EXISTS models_width ON models(residual_width)");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS fingerprints(model_id INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE, data BLOB NOT NULL)");
                s.execute(
                        "CREATE TABLE IF NOT EXISTS tokenizer_lsh(band INTEGER NOT NULL, bucket INTEGER NOT NULL, model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE)");
                s.execute("CREATE INDEX IF NOT EXISTS tokenizer_lsh_key ON tokenizer_lsh(band, bucket)");
                s.execute("CREATE INDEX IF NOT EXISTS tokenizer_lsh_model ON tokenizer_lsh(model_id)");
                s.execute("""
            CREATE TABLE IF NOT EXISTS tensor_hash(sha256 TEXT NOT NULL, model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
              tensor TEXT NOT NULL, component TEXT NOT NULL, elements INTEGER NOT NULL)""");
                s.execute("CREATE INDEX IF NOT EXISTS tensor_hash_sha ON tensor_hash(sha256)");
                s.execute("CREATE INDEX IF NOT EXISTS tensor_hash_model ON tensor_hash(model_id)");
                s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '" + SCHEMA_VERSION + "')");
                s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('application', 'pedigree-registry')");
            }
            try (Statement s = conn.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT value FROM meta WHERE key IN ('schema', 'application') ORDER BY key")) {
                List<String> v = new ArrayList<>();
                while (rs.next()) {
                    v.add(rs.getString(1));
                }
                if (!v.equals(List.of("pedigree-registry", String.valueOf(SCHEMA_VERSION)))) {
                    throw new RegistryException(
                            path + " is not a Pedigree registry of schema " + SCHEMA_VERSION + " (meta: " + v + ")");
                }
            }
            return null;
        });
    }

    /** The database file. */
    public Path path() {
        return path;
    }

    // ------------------------------------------------------------------ writing

    /** Fingerprints {@code model} with the default options and adds it. */
    public RegistryEntry add(ModelView model, ModelMetadata metadata) throws IOException, ModelFormatException {
        return add(Fingerprint.of(model), metadata);
    }

    /**
     * Adds a fingerprinted model.
     *
     * @throws RegistryException if the name is taken, or the database stays locked
     */
    public synchronized RegistryEntry add(Fingerprint fp, ModelMetadata metadata) throws RegistryException {
        byte[] data = fp.toBytes();
        write("add " + metadata.name(), () -> {
            insert(fp, data, metadata);
            return null;
        });
        return entryOf(fp, data, metadata);
    }

    private void insert(Fingerprint fp, byte[] data, ModelMetadata m) throws SQLException, RegistryException {
        try (PreparedStatement q = conn.prepareStatement("SELECT fingerprint_sha256 FROM models WHERE name = ?")) {
            q.setString(1, m.name());
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    throw new RegistryException(
                            "a model named '" + m.name() + "' is already in registry " + path + "; remove it first");
                }
            }
        }
        long[] sig = TokenSketch.minHash(fp.regularKeys());
        long id;
        try (PreparedStatement p = conn.prepareStatement("""
        INSERT INTO models(name, organisation, license, revision, parents, parameters, architecture, format, source,
          residual_width, layers, vocab_size, tensors, model_bytes, minhash, weight_sketch, fingerprint_sha256, fingerprint_bytes)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", Statement.RETURN_GENERATED_KEYS)) {
            p.setString(1, m.name());
            p.setString(2, m.organisation());
            p.setString(3, m.license());
            p.setString(4, m.revision());
            p.setString(5, toJson(m.parents()));
            p.setLong(6, fp.parameters());
            p.setString(7, fp.architecture());
            p.setString(8, fp.format());
            p.setString(9, fp.source());
            p.setInt(10, fp.residualWidth());
            p.setInt(11, fp.layerCount());
            p.setInt(12, fp.vocabularySize());
            p.setInt(13, fp.tensors().size());
            p.setLong(14, fp.modelBytes());
            p.setBytes(15, TokenSketch.toBytes(sig));
            p.setBytes(16, WeightSketch.of(fp).toBytes());
            p.setString(17, FingerprintCodec.sha256Hex(data));
            p.setLong(18, data.length);
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no id generated for " + m.name());
                }
                id = keys.getLong(1);
            }
        }
        try (PreparedStatement p = conn.prepareStatement("INSERT INTO fingerprints(model_id, data) VALUES (?, ?)")) {
            p.setLong(1, id);
            p.setBytes(2, data);
            p.executeUpdate();
        }
        long[] bands = TokenSketch.bands(sig);
        try (PreparedStatement p =
                conn.prepareStatement("INSERT INTO tokenizer_lsh(band, bucket, model_id) VALUES (?, ?, ?)")) {
            for (int b = 0; b < bands.length; b++) {
                p.setInt(1, b);
                p.setLong(2, bands[b]);
                p.setLong(3, id);
                p.addBatch();
            }
            p.executeBatch();
        }
        try (PreparedStatement p = conn.prepareStatement(
                "INSERT INTO tensor_hash(sha256, model_id, tensor, component, elements) VALUES (?, ?, ?, ?, ?)")) {
            for (FingerprintTensor t : fp.tensors()) {
                if (reusable(t)) {
                    p.setString(1, t.canonicalSha256());
                    p.setLong(2, id);
                    p.setString(3, t.name());
                    p.setString(4, ReportComponents.of(t.address()).name());
                    p.setLong(5, t.shape().elementCount());
                    p.addBatch();
                }
            }
            p.executeBatch();
        }
    }

    /** Whether a tensor is distinctive enough for exact-reuse evidence (hashed, parameter, not constant, not tiny). */
    static boolean reusable(FingerprintTensor t) {
        return t.canonicalSha256() != null
                && t.address().part().isParameter()
                && t.shape().elementCount() >= MIN_REUSE_ELEMENTS
                && t.stats() != null
                && !t.stats().constant();
    }

    /** Removes a model; false when no model has that name. */
    public synchronized boolean remove(String name) throws RegistryException {
        Integer n = write("remove " + name, () -> {
            try (PreparedStatement p = conn.prepareStatement("DELETE FROM models WHERE name = ?")) {
                p.setString(1, name);
                return p.executeUpdate();
            }
        });
        return n != null && n > 0;
    }

    // ------------------------------------------------------------------ reading

    /** Every model, by name. */
    public synchronized List<RegistryEntry> list() throws RegistryException {
        return read("list", () -> {
            List<RegistryEntry> out = new ArrayList<>();
            try (Statement s = conn.createStatement();
                    ResultSet rs = s.executeQuery("SELECT " + ENTRY_COLUMNS + " FROM models ORDER BY name")) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
            return out;
        });
    }

    /** Number of models. */
    public synchronized int size() throws RegistryException {
        return read("count", () -> {
            try (Statement s = conn.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM models")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** The model with this name, if any. */
    public synchronized Optional<RegistryEntry> find(String name) throws RegistryException {
        return read("find " + name, () -> {
            try (PreparedStatement p =
                    conn.prepareStatement("SELECT " + ENTRY_COLUMNS + " FROM models WHERE name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    return Optional.ofNullable(rs.next() ? entry(rs) : null);
                }
            }
        });
    }

    /**
     * The model's fingerprint, checked against the hash recorded when it was added.
     *
     * @throws RegistryException if no model has this name
     * @throws ModelFormatException if the stored fingerprint is corrupt
     */
    public synchronized Fingerprint fingerprint(String name) throws RegistryException, ModelFormatException {
        byte[][] got = read("read fingerprint " + name, () -> {
            try (PreparedStatement p = conn.prepareStatement(
                    "SELECT f.data, m.fingerprint_sha256 FROM models m JOIN fingerprints f ON f.model_id = m.id WHERE m.name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next()
                            ? new byte[][] {
                                rs.getBytes(1), rs.getString(2).getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                            }
                            : null;
                }
            }
        });
        if (got == null) {
            throw new RegistryException("no model named '" + name + "' in registry " + path);
        }
        String where = path + " (model " + name + ")";
        String expected = new String(got[1], java.nio.charset.StandardCharsets.US_ASCII);
        if (!FingerprintCodec.sha256Hex(got[0]).equals(expected)) {
            throw new dev.pedigree.io.CorruptModelException(
                    where, 0, "stored fingerprint does not hash to the recorded sha256 " + expected);
        }
        return FingerprintCodec.decode(got[0], where);
    }

    /** The fingerprint file's bytes as stored (for export). */
    synchronized byte[] fingerprintBytes(String name) throws RegistryException {
        byte[] b = read("read fingerprint " + name, () -> {
            try (PreparedStatement p = conn.prepareStatement(
                    "SELECT f.data FROM models m JOIN fingerprints f ON f.model_id = m.id WHERE m.name = ?")) {
                p.setString(1, name);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
        if (b == null) {
            throw new RegistryException("no model named '" + name + "' in registry " + path);
        }
        return b;
    }

    /**
     * Registry tensors whose canonical hash equals one of {@code canonicalHashes} (exact reuse).
     *
     * @return per hash, the registry (model, tensor, component, elements) rows holding it
     */
    public synchronized Map<String, List<String[]>> tensorsWithHashes(Collection<String> canonicalHashes)
            throws RegistryException {
        List<String> all = new ArrayList<>(new LinkedHashSet<>(canonicalHashes));
        return read("look up tensor hashes", () -> {
            Map<String, List<String[]>> out = new LinkedHashMap<>();
            for (int from = 0; from < all.size(); from += 500) {
                List<String> part = all.subList(from, Math.min(all.size(), from + 500));
                String in = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
                try (PreparedStatement p = conn.prepareStatement(
                        "SELECT h.sha256, m.name, h.tensor, h.component, h.elements FROM tensor_hash h JOIN models m ON m.id = h.model_id WHERE h.sha256 IN ("
                                + in + ") ORDER BY m.name, h.tensor")) {
                    for (int i = 0; i < part.size(); i++) {
                        p.setString(i + 1, part.get(i));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                    .add(new String[] {
                                        rs.getString(2), rs.getString(3), rs.getString(4), String.valueOf(rs.getLong(5))
                                    });
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * The pre-filter: registry models that share an exactly equal tensor with the suspect, whose
     * tokenizer falls into one of the suspect's LSH buckets (Jaccard ≳ 0.5), or that have the same
     * residual width; ranked by {@link RegistryCandidate#compareByPrior}. Index look-ups only; no
     * fingerprint is read.
     *
     * @param tokenSignature {@link TokenSketch#minHash} of the suspect's regular tokens
     * @param sketch the suspect's {@link WeightSketch}, ranking ties among same-tokenizer, same-width models
     * @param exactCounts per registry model name, the number of suspect tensors with an equal hash
     * @param residualWidth the suspect's residual width (0: unknown)
     * @param widthLimit most models taken on width alone
     */
    public synchronized List<RegistryCandidate> candidates(
            long[] tokenSignature,
            WeightSketch sketch,
            Map<String, Integer> exactCounts,
            int residualWidth,
            int widthLimit)
            throws RegistryException {
        return read("search candidates", () -> {
            Set<Long> ids = new LinkedHashSet<>();
            long[] bands = TokenSketch.bands(tokenSignature);
            try (PreparedStatement p =
                    conn.prepareStatement("SELECT model_id FROM tokenizer_lsh WHERE band = ? AND bucket = ?")) {
                for (int b = 0; b < bands.length; b++) {
                    p.setInt(1, b);
                    p.setLong(2, bands[b]);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
            }
            Set<Long> widthIds = new LinkedHashSet<>();
            if (residualWidth > 0) {
                try (PreparedStatement p =
                        conn.prepareStatement("SELECT id FROM models WHERE residual_width = ? ORDER BY name LIMIT ?")) {
                    p.setInt(1, residualWidth);
                    p.setInt(2, widthLimit);
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            widthIds.add(rs.getLong(1));
                        }
                    }
                }
            }
            ids.addAll(widthIds);
            Map<String, RegistryCandidate> out = new HashMap<>();
            List<Long> idList = new ArrayList<>(ids);
            for (int from = 0; from < idList.size(); from += 500) {
                List<Long> part = idList.subList(from, Math.min(idList.size(), from + 500));
                String in = String.join(",", java.util.Collections.nCopies(part.size(), "?"));
                try (PreparedStatement p = conn.prepareStatement(
                        "SELECT name, minhash, residual_width, weight_sketch FROM models WHERE id IN (" + in + ")")) {
                    for (int i = 0; i < part.size(); i++) {
                        p.setLong(i + 1, part.get(i));
                    }
                    try (ResultSet rs = p.executeQuery()) {
                        while (rs.next()) {
                            String name = rs.getString(1);
                            double j = TokenSketch.jaccard(tokenSignature, TokenSketch.fromBytes(rs.getBytes(2)));
                            boolean same = residualWidth > 0 && rs.getInt(3) == residualWidth;
                            Double corr =
                                    sketch == null ? null : sketch.correlation(WeightSketch.fromBytes(rs.getBytes(4)));
                            out.put(
                                    name,
                                    new RegistryCandidate(name, j, exactCounts.getOrDefault(name, 0), same, corr));
                        }
                    }
                }
            }
            for (Map.Entry<String, Integer> e : exactCounts.entrySet()) {
                out.computeIfAbsent(e.getKey(), n -> new RegistryCandidate(n, 0, e.getValue(), false, null));
            }
            List<RegistryCandidate> list = new ArrayList<>(out.values());
            list.sort(RegistryCandidate::compareByPrior);
            return list;
        });
    }

    // ------------------------------------------------------------------ packs

    /** Writes a portable pack of every model (see {@link RegistryPack}). */
    public void exportPack(Path file) throws IOException {
        RegistryPack.write(this, list(), file);
    }

    /**
     * Imports a pack: every entry's sha256 and fingerprint are checked before anything is written,
     * then all new models are added in one transaction. Models already present with the same
     * fingerprint are skipped; a name present with another fingerprint refuses the whole import.
     *
     * @throws dev.pedigree.io.CorruptModelException if an entry's hash does not match the manifest
     *     (the entry is named) or a fingerprint is corrupt
     * @throws RegistryException on a name conflict
     */
    public ImportReport importPack(Path file) throws IOException, ModelFormatException {
        List<RegistryPack.Item> items = RegistryPack.read(file);
        return addAll(items, file.toString());
    }

    /** Outcome of {@link #importPack}. */
    public record ImportReport(List<String> added, List<String> skipped) {
        public ImportReport {
            added = List.copyOf(added);
            skipped = List.copyOf(skipped);
        }
    }

    synchronized ImportReport addAll(List<RegistryPack.Item> items, String from) throws RegistryException {
        return write("import " + from, () -> {
            List<String> added = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            for (RegistryPack.Item it : items) {
                try (PreparedStatement q =
                        conn.prepareStatement("SELECT fingerprint_sha256 FROM models WHERE name = ?")) {
                    q.setString(1, it.metadata().name());
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            if (rs.getString(1).equals(it.sha256())) {
                                skipped.add(it.metadata().name());
                                continue;
                            }
                            throw new RegistryException("import of " + from + " refused: registry " + path
                                    + " already has a different model named '"
                                    + it.metadata().name() + "'");
                        }
                    }
                }
                insert(it.fingerprint(), it.bytes(), it.metadata());
                added.add(it.metadata().name());
            }
            return new ImportReport(added, skipped);
        });
    }

    // ------------------------------------------------------------------ plumbing

    private static final String ENTRY_COLUMNS =
            "name, organisation, license, revision, parents, parameters, architecture, format, source, residual_width, layers, vocab_size, tensors, fingerprint_sha256, fingerprint_bytes, model_bytes";

    private RegistryEntry entry(ResultSet rs) throws SQLException, RegistryException {
        ModelMetadata m = new ModelMetadata(
                rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), fromJson(rs.getString(5)));
        return new RegistryEntry(
                m,
                rs.getLong(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getInt(10),
                rs.getInt(11),
                rs.getInt(12),
                rs.getInt(13),
                rs.getString(14),
                rs.getLong(15),
                rs.getLong(16));
    }

    private static RegistryEntry entryOf(Fingerprint fp, byte[] data, ModelMetadata m) {
        return new RegistryEntry(
                m,
                fp.parameters(),
                fp.architecture(),
                fp.format(),
                fp.source(),
                fp.residualWidth(),
                fp.layerCount(),
                fp.vocabularySize(),
                fp.tensors().size(),
                FingerprintCodec.sha256Hex(data),
                data.length,
                fp.modelBytes());
    }

    private static String toJson(List<String> parents) {
        try {
            return JSON.writeValueAsString(parents);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a list of strings", e);
        }
    }

    private List<String> fromJson(String s) throws RegistryException {
        try {
            return JSON.readValue(s, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new RegistryException("registry " + path + " holds invalid parents JSON: " + s, e);
        }
    }

    private interface Work<T> {
        T run() throws SQLException, RegistryException;
    }

    private <T> T read(String what, Work<T> w) throws RegistryException {
        return retry(what, w);
    }

    /** One write transaction (BEGIN IMMEDIATE through the connection's transaction mode), retried while the database is busy. */
    private <T> T write(String what, Work<T> w) throws RegistryException {
        return retry(what, () -> {
            conn.setAutoCommit(false);
            try {
                T t = w.run();
                conn.commit();
                return t;
            } catch (SQLException | RegistryException | RuntimeException e) {
                try {
                    conn.rollback();
                } catch (SQLException ignored) {
                    // the original failure is reported
                }
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        });
    }

    private <T> T retry(String what, Work<T> w) throws RegistryException {
        long backoff = 5;
        for (int attempt = 1; ; attempt++) {
            try {
                return w.run();
            } catch (SQLException e) {
                boolean busy = e.getErrorCode() == 5
                        || e.getErrorCode() == 6
                        || String.valueOf(e.getMessage()).contains("SQLITE_BUSY")
                        || String.valueOf(e.getMessage()).contains("SQLITE_LOCKED");
                if (!busy || attempt >= MAX_ATTEMPTS) {
                    throw new RegistryException(
                            "registry " + path + ": cannot " + what + ": " + e.getMessage()
                                    + (busy ? " (still locked after " + attempt + " attempts)" : ""),
                            e);
                }
                try {
                    Thread.sleep(backoff
                            + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff + 1));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException("interrupted while waiting for registry " + path, ie);
                }
                backoff = Math.min(500, backoff * 2);
            }
        }
    }

    /** Closes the connection. */
    @Override
    public synchronized void close() throws RegistryException {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new RegistryException("closing registry " + path + ": " + e.getMessage(), e);
        }
    }
}
