package dev.pedigree.census.cli;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import dev.pedigree.census.fetch.HubClient;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.sim.Evaluation;
import dev.pedigree.census.sim.SimulatedHub;
import dev.pedigree.census.spark.CensusJob;
import dev.pedigree.census.spark.CensusSpark;
import dev.pedigree.census.spark.CensusStore;
import dev.pedigree.census.spark.IndexExport;
import dev.pedigree.census.spark.Tables;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Runs a build or an update and reports it (shared by both commands). */
final class CensusRunner {
    private CensusRunner() {}

    static int run(HubOptions o, boolean update, PrintWriter out) throws IOException {
        long t0 = System.nanoTime();
        try (HubOptions.Endpoint hub = o.start()) {
            List<HubModel> listing;
            try (HubClient c = new HubClient(hub.uri(), hub.token(), 6, Duration.ofSeconds(300))) {
                listing = c.list(o.limit, hub.filter());
            }
            out.printf(
                    Locale.ROOT,
                    "census %s: %d models listed from %s%n",
                    update ? "update" : "build",
                    listing.size(),
                    hub.simulated() != null ? hub.simulated() + " (loopback " + hub.uri() + ")" : hub.uri());
            SparkSession spark = CensusSpark.session(o.sparkMaster());
            try {
                CensusStore store = new CensusStore(o.out);
                CensusJob job = new CensusJob(spark, o.settings(hub), store);
                CensusJob.Summary s = update ? job.update(listing) : job.build(listing);
                report(spark, store, s, out);
                Path index = store.dir().resolve("lineage.db");
                IndexExport.sqlite(spark, store, index);
                out.printf(Locale.ROOT, "run %s is current in %s; lineage index %s%n", s.runId(), store.dir(), index);
                if (hub.simulated() != null && Files.exists(hub.simulated().resolve("truth.json"))) {
                    Map<String, String> parents = new HashMap<>();
                    Evaluation ev = Evaluation.of(
                            SimulatedHub.readTruth(hub.simulated()),
                            IndexExport.familyMap(IndexExport.families(spark, store), parents),
                            parents);
                    String text = "against the simulated hub's ground truth:\n" + ev.describe();
                    out.print(text);
                    Files.writeString(store.dir().resolve("evaluation.txt"), text, StandardCharsets.UTF_8);
                }
                out.printf(Locale.ROOT, "total %.1f s wall (Spark session included)%n", (System.nanoTime() - t0) / 1e9);
            } finally {
                spark.stop();
            }
        }
        return 0;
    }

    private static void report(SparkSession spark, CensusStore store, CensusJob.Summary s, PrintWriter out)
            throws IOException {
        Path run = store.runDir(s.runId());
        Row m = spark.read()
                .parquet(run.resolve(Tables.MODELS).toString())
                .filter(col("status").equalTo("ok"))
                .agg(
                        avg("range_requests"),
                        avg("planned_requests"),
                        avg("bytes_fetched"),
                        avg("weight_bytes"),
                        avg("resolves"),
                        sum("unplanned_requests"),
                        sum("throttled"),
                        avg("cpu_ms"),
                        avg("fetch_ms"))
                .first();
        out.printf(
                Locale.ROOT,
                "S1 fetch: %d new models (%d failed) in %.1f s; per model %.0f range requests (plan: %.0f for the weights, the rest whole small files), %.1f KB of %.1f KB, %.1f resolutions, %.0f ms CPU, %.0f ms wall; %d unplanned reads, %d answers 429 waited out%n",
                s.newModels(),
                s.failed(),
                s.fetchSeconds(),
                d(m, 0),
                d(m, 1),
                d(m, 2) / 1024,
                d(m, 3) / 1024,
                d(m, 4),
                d(m, 7),
                d(m, 8),
                m.isNullAt(5) ? 0 : m.getLong(5),
                m.isNullAt(6) ? 0 : m.getLong(6));
        out.printf(
                Locale.ROOT,
                "S2 candidates: %d pairs (%.1f per model) in %.1f s%n",
                s.candidates(),
                s.models() == 0 ? 0 : s.candidates() / (double) s.models(),
                s.candidateSeconds());
        out.printf(
                Locale.ROOT,
                "S3 tests: %d pairs tested, %d reused from the previous run, in %.1f s; %.0f ms CPU per test%n",
                s.pairsTested(),
                s.pairsReused(),
                s.testSeconds(),
                s.pairsTested() == 0 ? 0 : 1e3 * s.testCpuSeconds() / Math.max(1, s.pairsTested() + s.pairsReused()));
        out.printf(Locale.ROOT, "S4 families: %d shared-lineage edges in %.1f s%n", s.sharedEdges(), s.graphSeconds());
    }

    private static double d(Row r, int i) {
        return r.isNullAt(i) ? 0 : r.getDouble(i);
    }
}
