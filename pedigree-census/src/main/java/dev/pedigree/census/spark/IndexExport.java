package dev.pedigree.census.spark;

import dev.pedigree.census.index.LineageIndex;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Exports the current run of a census into a {@link LineageIndex} (SQLite), and reads its families
 * back for evaluation. The tables of a run fit on the driver (one row per model, edge and family
 * membership). Stateless.
 */
public final class IndexExport {
    private IndexExport() {}

    /** Writes the current run's models, edges and families to {@code file}; returns the run id. */
    public static String sqlite(SparkSession spark, CensusStore store, Path file) throws IOException {
        String run = store.requireCurrent();
        Path dir = store.runDir(run);
        try (LineageIndex.Writer w = new LineageIndex.Writer(file)) {
            for (Row r : spark.read()
                    .parquet(dir.resolve(Tables.MODELS).toString())
                    .select("model_id", "created_at", "declared_base", "architecture", "parameters", "status")
                    .collectAsList()) {
                w.model(
                        r.getString(0),
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.isNullAt(4) ? null : r.getLong(4),
                        r.getString(5),
                        run);
            }
            for (Row r : spark.read()
                    .parquet(dir.resolve(Tables.EDGES).toString())
                    .select("a", "b", "component", "verdict", "log10p", "method", "shared_tensors", "score")
                    .collectAsList()) {
                w.edge(
                        r.getString(0),
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.isNullAt(4) ? null : r.getDouble(4),
                        r.getString(5),
                        r.getInt(6),
                        r.isNullAt(7) ? null : r.getDouble(7));
            }
            for (Row r : families(spark, store)) {
                w.family(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getInt(4), r.getString(5));
            }
        }
        return run;
    }

    /** The current run's families rows (model_id, component, family_id, parent_id, depth, how). */
    public static java.util.List<Row> families(SparkSession spark, CensusStore store) throws IOException {
        return spark.read()
                .parquet(store.runDir(store.requireCurrent())
                        .resolve(Tables.FAMILIES)
                        .toString())
                .select("model_id", "component", "family_id", "parent_id", "depth", "how")
                .collectAsList();
    }

    /** A family root: the earliest member of a family of at least two models in some component. */
    public record Root(String modelId, String sha, String createdAt, String declaredBase) {}

    /** The roots of the current run's families of two or more models, in any component. */
    public static java.util.List<Root> roots(SparkSession spark, CensusStore store) throws IOException {
        Path dir = store.runDir(store.requireCurrent());
        org.apache.spark.sql.Dataset<Row> fam =
                spark.read().parquet(dir.resolve(Tables.FAMILIES).toString());
        org.apache.spark.sql.Dataset<Row> ids = fam.groupBy("component", "family_id")
                .count()
                .filter(org.apache.spark.sql.functions.col("count").geq(2))
                .select(org.apache.spark.sql.functions.col("family_id").as("model_id"))
                .distinct();
        java.util.List<Root> out = new java.util.ArrayList<>();
        for (Row r : spark.read()
                .parquet(dir.resolve(Tables.MODELS).toString())
                .join(ids, "model_id")
                .select("model_id", "sha", "created_at", "declared_base")
                .orderBy("created_at", "model_id")
                .collectAsList()) {
            out.add(new Root(r.getString(0), r.getString(1), r.getString(2), r.getString(3)));
        }
        return out;
    }

    /** component → model → family id, and model → text parent, of the current run. */
    public static Map<String, Map<String, String>> familyMap(
            java.util.List<Row> rows, Map<String, String> textParents) {
        Map<String, Map<String, String>> fam = new TreeMap<>();
        for (Row r : rows) {
            fam.computeIfAbsent(r.getString(1), k -> new TreeMap<>()).put(r.getString(0), r.getString(2));
            if (r.getString(1).equals("text")) {
                textParents.put(r.getString(0), r.getString(3));
            }
        }
        return fam;
    }
}
