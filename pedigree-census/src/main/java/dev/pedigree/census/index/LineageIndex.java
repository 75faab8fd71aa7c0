package dev.pedigree.census.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The census's SQLite lineage index: models, edges and families of one run, indexed for the
 * questions people ask ("descendants of X in the vision component", "ancestors of Y", "the family
 * of Z"), each answered by one indexed or recursive query in milliseconds. Written once by {@link
 * Writer}; read by {@link #open}. Not thread-safe; close after use.
 */
public final class LineageIndex implements AutoCloseable {
    static final String SCHEMA = """
            CREATE TABLE models (model_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, declared_base TEXT,
                architecture TEXT, parameters INTEGER, status TEXT NOT NULL, run_id TEXT NOT NULL);
            CREATE TABLE edges (a TEXT NOT NULL, b TEXT NOT NULL, component TEXT NOT NULL, verdict TEXT NOT NULL,
                log10p REAL, method TEXT NOT NULL, shared_tensors INTEGER NOT NULL, score REAL);
            CREATE TABLE families (model_id TEXT NOT NULL, component TEXT NOT NULL, family_id TEXT NOT NULL,
                parent_id TEXT, depth INTEGER NOT NULL, how TEXT NOT NULL, PRIMARY KEY (model_id, component));
            CREATE INDEX families_parent ON families (parent_id, component);
            CREATE INDEX families_family ON families (family_id, component);
            CREATE INDEX edges_a ON edges (a, component);
            CREATE INDEX edges_b ON edges (b, component);
            """;

    /**
     * One model in an answer.
     *
     * @param depth generations from the model asked about (descendants and ancestors), or the depth
     *     in the family tree (family)
     * @param how how the link to its parent was established: {@code root}, {@code declared}, {@code
     *     test} (the engine's verdict) or {@code exact} (identical sampled tensors)
     */
    public record Relative(String modelId, String component, String parentId, int depth, String how) {}

    private final Connection db;

    private LineageIndex(Connection db) {
        this.db = db;
    }

    /** Opens an index written by {@link Writer}, read-only. */
    public static LineageIndex open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no lineage index here (pedigree census build or export writes one)");
        }
        try {
            org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
            cfg.setReadOnly(true);
            return new LineageIndex(
                    DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), cfg.toProperties()));
        } catch (SQLException e) {
            throw new IOException(file + ": not a lineage index (" + e.getMessage() + ")", e);
        }
    }

    /** Every model descending from {@code modelId} in {@code component} (children first, then their children). */
    public List<Relative> descendants(String modelId, String component) throws IOException {
        return query("""
                WITH RECURSIVE d(id, depth) AS (
                    SELECT model_id, 1 FROM families WHERE parent_id = ?1 AND component = ?2
                    UNION ALL
                    SELECT f.model_id, d.depth + 1 FROM families f JOIN d ON f.parent_id = d.id AND f.component = ?2)
                SELECT f.model_id, f.component, f.parent_id, d.depth, f.how
                FROM d JOIN families f ON f.model_id = d.id AND f.component = ?2
                ORDER BY d.depth, f.model_id
                """, modelId, component);
    }

    /** The chain of parents of {@code modelId} in {@code component}, nearest first. */
    public List<Relative> ancestors(String modelId, String component) throws IOException {
        return query("""
                WITH RECURSIVE a(id, depth) AS (
                    SELECT parent_id, 1 FROM families WHERE model_id = ?1 AND component = ?2 AND parent_id IS NOT NULL
                    UNION ALL
                    SELECT f.parent_id, a.depth + 1 FROM families f JOIN a ON f.model_id = a.id AND f.component = ?2
                    WHERE f.parent_id IS NOT NULL)
                SELECT f.model_id, f.component, f.parent_id, a.depth, f.how
                FROM a JOIN families f ON f.model_id = a.id AND f.component = ?2
                ORDER BY a.depth
                """, modelId, component);
    }

    /** Every member of {@code modelId}'s family in {@code component}, root first. */
    public List<Relative> family(String modelId, String component) throws IOException {
        return query("""
                SELECT f.model_id, f.component, f.parent_id, f.depth, f.how FROM families f
                WHERE f.component = ?2 AND f.family_id = (SELECT family_id FROM families WHERE model_id = ?1 AND component = ?2)
                ORDER BY f.depth, f.model_id
                """, modelId, component);
    }

    /** Whether the index knows {@code modelId}. */
    public boolean knows(String modelId) throws IOException {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM models WHERE model_id = ?")) {
            ps.setString(1, modelId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new IOException("lineage index: " + e.getMessage(), e);
        }
    }

    private List<Relative> query(String sql, String modelId, String component) throws IOException {
        Objects.requireNonNull(modelId, "modelId");
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, modelId);
            ps.setString(2, component);
            List<Relative> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Relative(
                            rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("lineage index: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IOException("closing the lineage index: " + e.getMessage(), e);
        }
    }

    /** Writes a new index file (replacing any at the path only once complete). Not thread-safe. */
    public static final class Writer implements AutoCloseable {
        private final Path target;
        private final Path tmp;
        private final Connection db;
        private final PreparedStatement model;
        private final PreparedStatement edge;
        private final PreparedStatement family;

        public Writer(Path target) throws IOException {
            this.target = target.toAbsolutePath();
            try {
                Files.createDirectories(this.target.getParent());
                this.tmp = Files.createTempFile(
                        this.target.getParent(), this.target.getFileName().toString(), ".part");
                Files.delete(tmp);
                db = DriverManager.getConnection("jdbc:sqlite:" + tmp);
                db.setAutoCommit(false);
                try (Statement st = db.createStatement()) {
                    for (String s : SCHEMA.split(";")) {
                        if (!s.isBlank()) {
                            st.execute(s);
                        }
                    }
                }
                model = db.prepareStatement("INSERT INTO models VALUES (?, ?, ?, ?, ?, ?, ?)");
                edge = db.prepareStatement("INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
                family = db.prepareStatement("INSERT INTO families VALUES (?, ?, ?, ?, ?, ?)");
            } catch (SQLException e) {
                throw new IOException(target + ": cannot create the lineage index: " + e.getMessage(), e);
            }
        }

        public void model(
                String id,
                String createdAt,
                String declaredBase,
                String architecture,
                Long parameters,
                String status,
                String runId)
                throws IOException {
            exec(model, id, createdAt, declaredBase, architecture, parameters, status, runId);
        }

        public void edge(
                String a,
                String b,
                String component,
                String verdict,
                Double log10p,
                String method,
                int shared,
                Double score)
                throws IOException {
            exec(edge, a, b, component, verdict, log10p, method, shared, score);
        }

        public void family(String id, String component, String familyId, String parentId, int depth, String how)
                throws IOException {
            exec(family, id, component, familyId, parentId, depth, how);
        }

        private void exec(PreparedStatement ps, Object... values) throws IOException {
            try {
                for (int i = 0; i < values.length; i++) {
                    ps.setObject(i + 1, values[i]);
                }
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new IOException(target + ": " + e.getMessage(), e);
            }
        }

        /** Commits and moves the index into place. */
        @Override
        public void close() throws IOException {
            try {
                db.commit();
                db.close();
                Files.move(
                        tmp,
                        target,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (SQLException e) {
                throw new IOException(target + ": " + e.getMessage(), e);
            }
        }
    }
}
