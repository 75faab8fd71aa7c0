package dev.pedigree.census.spark;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.census.fetch.HubClient;
import dev.pedigree.census.fetch.RootsPack;
import dev.pedigree.census.fingerprint.LineageComponent;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.hub.LoopbackHub;
import dev.pedigree.census.sim.Evaluation;
import dev.pedigree.census.sim.GroundTruth;
import dev.pedigree.census.sim.SimKind;
import dev.pedigree.census.sim.SimulatedHub;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintPairComparator;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ModelView;
import dev.pedigree.registry.Identifier;
import dev.pedigree.registry.IdentifyOptions;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The census on Spark (one local[2] session for the class) over a simulated hub served on loopback:
 * families against the ground truth, edges against the engine run outside Spark, an update over the
 * second half against one full build, 1 and 2 partitions per stage, and the two skew traps.
 */
class CensusPipelineTest {
    @TempDir
    static Path dir;

    static SparkSession spark;
    static LoopbackHub hub;
    static GroundTruth truth;
    static List<HubModel> listing;
    static CensusStore full;
    static CensusJob.Summary fullSummary;

    @BeforeAll
    static void buildOnce() throws Exception {
        truth = SimulatedHub.write(dir.resolve("hub"), new SimulatedHub.Options(40, 3, 11));
        hub = LoopbackHub.start(dir.resolve("hub"), new LoopbackHub.Options(0, 1, 3600));
        try (HubClient c = new HubClient(hub.endpoint(), null, 4, Duration.ofSeconds(5))) {
            listing = c.list(10_000, null);
        }
        spark = CensusSpark.session("local[2]");
        full = new CensusStore(dir.resolve("full"));
        fullSummary = new CensusJob(spark, settings(2), full).build(listing);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hub != null) {
            hub.close();
        }
    }

    static CensusJob.Settings settings(int partitions) {
        return CensusJob.Settings.defaults(hub.endpoint(), null).withPartitions(partitions);
    }

    static Dataset<Row> table(CensusStore store, String table) throws Exception {
        return spark.read()
                .parquet(store.runDir(store.requireCurrent()).resolve(table).toString());
    }

    @Test
    void familiesReproduceTheGroundTruth() throws Exception {
        Map<String, Map<String, String>> fam = new TreeMap<>();
        Map<String, String> parents = new HashMap<>();
        for (Row r : table(full, Tables.FAMILIES).collectAsList()) {
            fam.computeIfAbsent(r.getString(1), k -> new TreeMap<>()).put(r.getString(0), r.getString(2));
            if (r.getString(1).equals("text")) {
                parents.put(r.getString(0), r.getString(3));
            }
        }
        Evaluation ev = Evaluation.of(truth, fam, parents);
        System.out.println(fullSummary);
        System.out.print(ev.describe());
        assertThat(fullSummary.failed()).isZero();
        // Every derivative is in its family (residual permutations and rotations included: the unit-norm
        // test), and no independent model is in any family.
        assertThat(ev.missedByKind()).isEmpty();
        assertThat(ev.joinedIndependents()).isEmpty();
        for (Evaluation.Counts c : ev.components().values()) {
            assertThat(c.precision()).isEqualTo(1.0);
        }
        assertThat(ev.components().get("vision").recall()).isEqualTo(1.0);
        // Frozen vision towers are exact edges to their standalone root.
        List<Row> vision = table(full, Tables.EDGES)
                .filter(col("component").equalTo("vision").and(col("method").equalTo("exact")))
                .collectAsList();
        for (String vlm : truth.ids(SimKind.VLM)) {
            assertThat(vision).as(vlm).anyMatch(r -> r.getString(0).equals(vlm));
        }
    }

    @Test
    void censusEdgesEqualTheEngineOnTheSameFingerprintPairs() throws Exception {
        Map<String, String> paths = new HashMap<>();
        for (Row r : table(full, Tables.MODELS)
                .select("model_id", "fingerprint_path")
                .collectAsList()) {
            paths.put(r.getString(0), r.getString(1));
        }
        List<Row> tested =
                table(full, Tables.EDGES).filter(col("method").equalTo("test")).collectAsList();
        assertThat(tested).isNotEmpty();
        Map<String, Fingerprint> fps = new HashMap<>();
        for (Row r : tested) {
            Fingerprint a = fps.computeIfAbsent(r.getString(0), k -> read(paths.get(k)));
            Fingerprint b = fps.computeIfAbsent(r.getString(1), k -> read(paths.get(k)));
            ComponentResult direct = CensusJob.perComponent(
                            FingerprintPairComparator.compare(a, b, CompareOptions.DEFAULT))
                    .get(LineageComponent.ofKey(r.getString(2)));
            assertThat(direct).as(r.toString()).isNotNull();
            assertThat(direct.verdict().name()).as(r.toString()).isEqualTo(r.getString(3));
            assertThat(direct.log10p()).as(r.toString()).isEqualTo(r.isNullAt(4) ? null : r.getDouble(4));
        }
    }

    private static Fingerprint read(String path) {
        try {
            return Fingerprint.read(Path.of(path));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void updateOverTheSecondHalfEqualsOneFullBuildAndPartitioningDoesNotMatter() throws Exception {
        CensusStore inc = new CensusStore(dir.resolve("incremental"));
        int half = listing.size() / 2;
        new CensusJob(spark, settings(1), inc).build(listing.subList(0, half));
        CensusJob.Summary upd = new CensusJob(spark, settings(1), inc).update(listing);
        assertThat(upd.newModels()).isEqualTo(listing.size() - half);
        assertThat(upd.pairsReused()).isPositive();
        assertThat(upd.pairsTested()).isLessThan(fullSummary.pairsTested());
        assertThat(sorted(table(inc, Tables.EDGES))).isEqualTo(sorted(table(full, Tables.EDGES)));
        assertThat(sorted(table(inc, Tables.FAMILIES))).isEqualTo(sorted(table(full, Tables.FAMILIES)));
        assertThat(sorted(table(inc, Tables.CANDIDATES))).isEqualTo(sorted(table(full, Tables.CANDIDATES)));
    }

    /** A table's rows as sorted strings, without CPU times (which differ from run to run). */
    private static List<String> sorted(Dataset<Row> d) {
        Dataset<Row> x = d.drop("cpu_ms");
        List<String> out = new ArrayList<>();
        for (Row r : x.collectAsList()) {
            out.add(r.toString());
        }
        out.sort(null);
        return out;
    }

    @Test
    void aThousandModelsSharingADigestGiveAStarNotAClique() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(RowFactory.create(
                    String.format("org/m%04d", i),
                    String.format("2025-01-01T00:%02d:%02dZ", i / 60, i % 60),
                    "vision",
                    "vision.layers.0.attn_q.weight",
                    "ab".repeat(32),
                    1024,
                    false));
        }
        Dataset<Row> digests = spark.createDataFrame(rows, Tables.DIGEST_SCHEMA);
        List<Row> pairs = CensusJob.exactPairs(digests).collectAsList();
        assertThat(pairs).hasSize(999);
        assertThat(pairs).allMatch(r -> r.getString(1).equals("org/m0000"));
    }

    @Test
    void aThousandModelsSharingATokenizerGiveOneBlockAndNoPairs() {
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, String> family = Map.of("tok", "tok");
        List<Row> members = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Map<Long, Float> v = new HashMap<>();
            for (long k = 0; k < 256; k++) {
                v.put(k, (float) rnd.nextGaussian());
            }
            Map<
                            dev.pedigree.census.fingerprint.CensusFingerprint.SketchChannel,
                            dev.pedigree.census.fingerprint.ModelSketch>
                    sk = Map.of(
                            dev.pedigree.census.fingerprint.CensusFingerprint.SketchChannel.WEIGHTS,
                            dev.pedigree.census.fingerprint.ModelSketch.of(v));
            Row model = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                    new Object[] {
                        String.format("indie/m%04d", i),
                        "2025-01-01T00:00:00Z",
                        "text=64",
                        "tok",
                        dev.pedigree.census.fingerprint.SketchCodec.encode(sk)
                    },
                    new org.apache.spark.sql.types.StructType()
                            .add("model_id", "string")
                            .add("created_at", "string")
                            .add("components", "string")
                            .add("tokenizer_id", "string")
                            .add("sketches", "binary"));
            members.addAll(CensusJob.blocks(model, family));
        }
        assertThat(members.stream().map(r -> r.getString(0)).distinct()).hasSize(1);
        Dataset<Row> m = spark.createDataFrame(
                members,
                new org.apache.spark.sql.types.StructType()
                        .add("block", "string")
                        .add("model_id", "string")
                        .add("created_at", "string")
                        .add("sketches", "binary"));
        assertThat(CensusJob.sketchScores(m, 256).count()).isZero();
    }

    @Test
    void aRegistryPackOfTheRootsLetsIdentifyNameTheBase() throws Exception {
        List<IndexExport.Root> roots = IndexExport.roots(spark, full);
        List<String> ids = roots.stream().map(IndexExport.Root::modelId).toList();
        assertThat(ids).containsAll(truth.ids(SimKind.BASE)).containsAll(truth.ids(SimKind.VISION_ROOT));
        Path pack = dir.resolve("roots.zip");
        try (HubClient c = new HubClient(hub.endpoint(), null, 4, Duration.ofSeconds(5))) {
            List<HubModel> models = new ArrayList<>();
            for (IndexExport.Root r : roots) {
                models.add(c.info(r.modelId(), r.sha(), r.createdAt(), r.declaredBase()));
            }
            assertThat(RootsPack.write(c, models, pack)).isEqualTo(roots.size());
        }
        GroundTruth.Entry suspect = truth.models().stream()
                .filter(e -> e.kind() == SimKind.PERMUTED)
                .findFirst()
                .orElseThrow();
        try (Registry registry = Registry.open(dir.resolve("registry.db"));
                ModelView v = ModelOpener.open(SimulatedHub.repoDir(dir.resolve("hub"), suspect.id()))) {
            registry.importPack(pack);
            IdentifyResult r = Identifier.identify(v, registry, IdentifyOptions.DEFAULT);
            assertThat(r.best()).isPresent();
            assertThat(r.best().get().entry().metadata().name())
                    .isEqualTo(suspect.families().get("text"));
            assertThat(r.best().get().result().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        }
    }
}
