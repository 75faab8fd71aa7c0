package dev.pedigree.census.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.census.candidates.ExactStar;
import dev.pedigree.census.candidates.Holder;
import dev.pedigree.census.candidates.SketchScores;
import dev.pedigree.census.candidates.TokenizerFamilies;
import dev.pedigree.census.fetch.HubClient;
import dev.pedigree.census.fetch.SampledModelFetcher;
import dev.pedigree.census.fingerprint.CensusFingerprint;
import dev.pedigree.census.fingerprint.CensusFingerprint.TensorDigest;
import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.census.fingerprint.LineageComponent;
import dev.pedigree.census.fingerprint.SketchCodec;
import dev.pedigree.census.graph.FamilyGraph;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.fingerprint.FingerprintCodec;
import dev.pedigree.fingerprint.FingerprintPairComparator;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.Sha256;
import dev.pedigree.registry.TokenSketch;
import java.io.IOException;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The census pipeline as Spark jobs over the {@link Tables}: fetch and fingerprint (S1), candidate
 * pairs (S2), fingerprint-pair tests (S3), families (S4). The same code runs in-process
 * ({@code local[*]}) and on a cluster; executors need the run directory on a filesystem they all
 * see (local disk in local mode, a shared mount on a cluster).
 *
 * <p>{@link #update} makes the result of one full build over the same models: it fetches only new
 * revisions, recomputes the candidate pairs over all models (joins and sketch products: seconds),
 * tests only the pairs no earlier run tested, and keeps earlier test results only for pairs that are
 * still candidates. Not thread-safe (one job at a time per session).
 */
public final class CensusJob {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a run does.
     *
     * @param endpoint the hub
     * @param token bearer token for the hub, or null
     * @param profile how models are sampled
     * @param topK sketch partners tested per model (the best earlier ones)
     * @param rootTests block roots tested per model (the best-scoring earlier ones)
     * @param tileSize models per tile of the all-pairs sketch products
     * @param maxWaitSeconds longest {@code Retry-After} honoured
     * @param partitions partitions of every stage (0: twice the session's default parallelism); the
     *     result does not depend on it
     */
    public record Settings(
            URI endpoint,
            String token,
            CensusProfile profile,
            int topK,
            int rootTests,
            int tileSize,
            int maxWaitSeconds,
            int partitions)
            implements Serializable {
        public Settings {
            if (topK < 1 || rootTests < 0 || tileSize < 2 || maxWaitSeconds < 0 || partitions < 0) {
                throw new IllegalArgumentException(
                        "topK ≥ 1, rootTests ≥ 0, tileSize ≥ 2, maxWaitSeconds ≥ 0, partitions ≥ 0");
            }
        }

        public static Settings defaults(URI endpoint, String token) {
            return new Settings(endpoint, token, CensusProfile.DEFAULT, 5, 3, 4096, 300, 0);
        }

        /** The same settings with a fixed number of partitions. */
        public Settings withPartitions(int n) {
            return new Settings(endpoint, token, profile, topK, rootTests, tileSize, maxWaitSeconds, n);
        }
    }

    /** Counts and stage times of one run. */
    public record Summary(
            String runId,
            long models,
            long newModels,
            long failed,
            long candidates,
            long pairsTested,
            long pairsReused,
            long sharedEdges,
            double fetchSeconds,
            double candidateSeconds,
            double testSeconds,
            double graphSeconds,
            double fetchCpuSeconds,
            double testCpuSeconds) {}

    private final SparkSession spark;
    private final Settings settings;
    private final CensusStore store;

    public CensusJob(SparkSession spark, Settings settings, CensusStore store) {
        this.spark = spark;
        this.settings = settings;
        this.store = store;
    }

    /** Fingerprints every listed model and builds the census from scratch into a new run. */
    public Summary build(List<HubModel> listing) throws IOException {
        return run(listing, null);
    }

    /**
     * Adds the listed revisions that the current run does not have; without a current run, the
     * same as {@link #build}.
     */
    public Summary update(List<HubModel> listing) throws IOException {
        return run(listing, store.current().orElse(null));
    }

    private Summary run(List<HubModel> listing, String previous) throws IOException {
        String runId = store.newRunId();
        Path runDir = store.runDir(runId);
        Path fpDir = runDir.resolve("fingerprints");
        Files.createDirectories(fpDir);
        long t0 = System.nanoTime();
        int parts0 = settings.partitions() > 0
                ? settings.partitions()
                : 2 * spark.sparkContext().defaultParallelism();
        spark.conf().set("spark.sql.shuffle.partitions", Integer.toString(parts0));

        // ---- S0 + S1: the new revisions, fetched and fingerprinted in executors.
        Dataset<Row> previousModels = previous == null ? null : read(previous, Tables.MODELS);
        Set<String> known = new java.util.HashSet<>();
        if (previousModels != null) {
            for (Row r : previousModels.select("model_id", "sha").collectAsList()) {
                known.add(r.getString(0) + "@" + r.getString(1));
            }
        }
        List<Row> todo = new ArrayList<>();
        List<Row> files = new ArrayList<>();
        for (HubModel m : listing) {
            if (known.contains(m.id() + "@" + m.sha())) {
                continue;
            }
            todo.add(RowFactory.create(m.id(), JSON.writeValueAsString(m)));
            for (HubModel.HubFile f : m.files()) {
                files.add(RowFactory.create(m.id(), m.createdAt(), f.path(), f.size(), f.sha256()));
            }
        }
        StructType todoSchema =
                new StructType().add("model_id", DataTypes.StringType).add("listing", DataTypes.StringType);
        int parts = Math.max(1, Math.min(todo.size(), parts0));
        Settings s = settings;
        String fpDirName = fpDir.toAbsolutePath().toString();
        Dataset<Row> fetched = spark.createDataFrame(todo, todoSchema)
                .repartition(parts, col("model_id"))
                .mapPartitions(
                        (MapPartitionsFunction<Row, Row>) it -> fetchPartition(it, s, fpDirName),
                        Encoders.row(FETCHED_SCHEMA))
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> newModels = fetched.drop("digests");
        Dataset<Row> newDigests = fetched.filter(col("status").equalTo("ok"))
                .select(
                        col("model_id"),
                        col("created_at"),
                        org.apache.spark.sql.functions.explode(col("digests")).as("d"))
                .select(
                        col("model_id"),
                        col("created_at"),
                        col("d.component").as("component"),
                        col("d.tensor").as("tensor"),
                        col("d.sample_digest").as("sample_digest"),
                        col("d.elements").as("elements"),
                        col("d.constant").as("constant"));
        Dataset<Row> models = previousModels == null ? newModels : previousModels.unionByName(newModels);
        write(models, runId, Tables.MODELS);
        Dataset<Row> filesDf = spark.createDataFrame(files, Tables.FILES_SCHEMA);
        Dataset<Row> digests = newDigests;
        if (previous != null) {
            filesDf = read(previous, Tables.FILES).unionByName(filesDf);
            digests = read(previous, Tables.TENSOR_DIGEST).unionByName(newDigests);
        }
        write(filesDf, runId, Tables.FILES);
        write(digests, runId, Tables.TENSOR_DIGEST);
        fetched.unpersist();
        models = read(runId, Tables.MODELS);
        digests = read(runId, Tables.TENSOR_DIGEST);
        filesDf = read(runId, Tables.FILES);
        long t1 = System.nanoTime();

        // ---- S2: candidates.
        Dataset<Row> ok = models.filter(col("status").equalTo("ok"));
        Map<String, String> tokFamily = tokenizerFamilies(ok, runId);
        StructType memberSchema = new StructType()
                .add("block", DataTypes.StringType)
                .add("model_id", DataTypes.StringType)
                .add("created_at", DataTypes.StringType)
                .add("sketches", DataTypes.BinaryType);
        Dataset<Row> members = ok.flatMap(
                        (FlatMapFunction<Row, Row>) r -> blocks(r, tokFamily).iterator(), Encoders.row(memberSchema))
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        // Used by the top-K and the root rules: computed once.
        Dataset<Row> scores = sketchScores(members, settings.tileSize())
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> topK = scores.withColumn(
                        "rn",
                        row_number()
                                .over(Window.partitionBy("later")
                                        .orderBy(col("score").desc(), col("earlier"))))
                .filter(col("rn").leq(settings.topK()))
                .select(
                        col("later").as("a"),
                        col("earlier").as("b"),
                        lit("sketch").as("source"));
        Dataset<Row> roots = rootTests(members, scores, settings.rootTests());
        Dataset<Row> declared = ok.alias("m")
                .join(ok.alias("d"), col("m.declared_base").equalTo(col("d.model_id")))
                .select(
                        col("m.model_id").as("x"),
                        col("m.created_at").as("xc"),
                        col("d.model_id").as("y"),
                        col("d.created_at").as("yc"))
                .filter(col("x").notEqual(col("y")))
                .map((MapFunction<Row, Row>) CensusJob::orient, Encoders.row(PAIR_SCHEMA))
                .withColumn("source", lit("declared"));
        Dataset<Row> exact = exactPairs(digests).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> fileSpokes = spokes(
                        filesDf.filter(col("sha256").isNotNull().and(col("path").endsWith(".safetensors"))),
                        "sha256",
                        lit("-"))
                .select("a", "b")
                .distinct()
                .withColumn("source", lit("file"));
        Dataset<Row> union = topK.unionByName(roots)
                .unionByName(declared)
                .unionByName(exact.select("a", "b").distinct().withColumn("source", lit("exact")))
                .unionByName(fileSpokes);
        Dataset<Row> sk = ok.select("model_id", "sketches");
        Dataset<Row> candidates = union.groupBy("a", "b")
                .agg(concat_ws(",", sort_array(collect_set(col("source")))).as("sources"))
                .join(sk.withColumnRenamed("model_id", "a").withColumnRenamed("sketches", "sa"), "a")
                .join(sk.withColumnRenamed("model_id", "b").withColumnRenamed("sketches", "sb"), "b")
                .map((MapFunction<Row, Row>) CensusJob::scoreCandidate, Encoders.row(Tables.CANDIDATES_SCHEMA));
        write(candidates, runId, Tables.CANDIDATES);
        members.unpersist();
        scores.unpersist();
        candidates = read(runId, Tables.CANDIDATES);
        long t2 = System.nanoTime();

        // ---- S3: tests (only pairs no earlier run tested).
        Dataset<Row> paths = ok.select("model_id", "fingerprint_path");
        Dataset<Row> pairs = candidates.select("a", "b", "score");
        Dataset<Row> reused = null;
        if (previous != null) {
            Dataset<Row> prevTests =
                    read(previous, Tables.EDGES).filter(col("method").equalTo("test"));
            reused = prevTests.join(pairs.select("a", "b"), new String[] {"a", "b"}, "left_semi");
            pairs = pairs.join(prevTests.select("a", "b").distinct(), new String[] {"a", "b"}, "left_anti");
        }
        Dataset<Row> toTest = pairs.join(
                        paths.withColumnRenamed("model_id", "a").withColumnRenamed("fingerprint_path", "pa"), "a")
                .join(paths.withColumnRenamed("model_id", "b").withColumnRenamed("fingerprint_path", "pb"), "b")
                .repartition(parts0, col("a"));
        String version = pedigreeVersion();
        Dataset<Row> tested = toTest.mapPartitions(
                (MapPartitionsFunction<Row, Row>) it -> testPartition(it, version), Encoders.row(Tables.EDGES_SCHEMA));
        Dataset<Row> exactEdges = exact.join(candidates.select("a", "b", "score"), new String[] {"a", "b"})
                .select(
                        col("a"),
                        col("b"),
                        col("component"),
                        lit(Verdict.SHARED_LINEAGE.name()).as("verdict"),
                        lit(null).cast(DataTypes.DoubleType).as("log10p"),
                        lit("exact").as("method"),
                        col("shared").cast(DataTypes.IntegerType).as("shared_tensors"),
                        col("score"),
                        lit(null).cast(DataTypes.DoubleType).as("cpu_ms"),
                        lit(version).as("pedigree_version"));
        Dataset<Row> edges = tested.unionByName(exactEdges);
        if (reused != null) {
            edges = edges.unionByName(reused);
        }
        write(edges, runId, Tables.EDGES);
        exact.unpersist();
        edges = read(runId, Tables.EDGES);
        long t3 = System.nanoTime();

        // ---- S4: families on the driver (millions of edges fit).
        List<FamilyGraph.Node> nodes = new ArrayList<>();
        for (Row r : ok.select("model_id", "created_at", "declared_base", "components")
                .collectAsList()) {
            nodes.add(new FamilyGraph.Node(
                    new Holder(r.getString(0), r.getString(1)),
                    r.getString(2),
                    components(r.getString(3)).keySet()));
        }
        List<FamilyGraph.Edge> shared = new ArrayList<>();
        for (Row r : edges.filter(col("verdict").equalTo(Verdict.SHARED_LINEAGE.name()))
                .select("a", "b", "component", "method", "score", "shared_tensors")
                .collectAsList()) {
            shared.add(new FamilyGraph.Edge(
                    r.getString(0),
                    r.getString(1),
                    LineageComponent.ofKey(r.getString(2)),
                    r.getString(3),
                    r.isNullAt(4) ? Double.NaN : r.getDouble(4),
                    r.getInt(5)));
        }
        List<Row> fam = new ArrayList<>();
        for (FamilyGraph.Membership m : FamilyGraph.families(nodes, shared)) {
            fam.add(RowFactory.create(
                    m.modelId(), m.component().key(), m.familyId(), m.parentId(), m.depth(), m.how()));
        }
        write(spark.createDataFrame(fam, Tables.FAMILIES_SCHEMA).coalesce(1), runId, Tables.FAMILIES);
        long t4 = System.nanoTime();
        store.publish(runId);

        Row fetchCost = models.agg(
                        org.apache.spark.sql.functions.sum("cpu_ms"),
                        count(lit(1)),
                        org.apache.spark.sql.functions.sum(org.apache
                                .spark
                                .sql
                                .functions
                                .when(col("status").notEqual("ok"), 1)
                                .otherwise(0)))
                .first();
        Row testCost = edges.filter(col("method").equalTo("test"))
                .select("a", "b", "cpu_ms")
                .distinct()
                .agg(org.apache.spark.sql.functions.sum("cpu_ms"))
                .first();
        return new Summary(
                runId,
                fetchCost.getLong(1),
                todo.size(),
                fetchCost.getLong(2),
                candidates.count(),
                pairs.count(),
                reused == null ? 0 : reused.select("a", "b").distinct().count(),
                shared.size(),
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9,
                (t3 - t2) / 1e9,
                (t4 - t3) / 1e9,
                fetchCost.isNullAt(0) ? 0 : fetchCost.getDouble(0) / 1e3,
                testCost.isNullAt(0) ? 0 : testCost.getDouble(0) / 1e3);
    }

    // ------------------------------------------------------------------ S1

    private static final StructType DIGEST_ELEMENT = new StructType()
            .add("component", DataTypes.StringType, true)
            .add("tensor", DataTypes.StringType, false)
            .add("sample_digest", DataTypes.StringType, false)
            .add("elements", DataTypes.IntegerType, false)
            .add("constant", DataTypes.BooleanType, false);

    static final StructType FETCHED_SCHEMA =
            Tables.MODELS_SCHEMA.add("digests", new ArrayType(DIGEST_ELEMENT, false), true);

    private static Iterator<Row> fetchPartition(Iterator<Row> it, Settings s, String fpDir) throws IOException {
        List<Row> out = new ArrayList<>();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (HubClient client = new HubClient(s.endpoint(), s.token(), 6, Duration.ofSeconds(s.maxWaitSeconds()))) {
            while (it.hasNext()) {
                HubModel m = JSON.readValue(it.next().getString(1), HubModel.class);
                long cpu0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                try {
                    SampledModelFetcher.Result r = SampledModelFetcher.fetch(client, m, s.profile());
                    CensusFingerprint cf = r.fingerprint();
                    Path file = Path.of(
                            fpDir, Sha256.hex((m.id() + "@" + m.sha()).getBytes(StandardCharsets.UTF_8)) + ".pdfp");
                    FingerprintCodec.write(cf.fingerprint(), file);
                    List<Row> ds = new ArrayList<>();
                    for (TensorDigest d : cf.digests()) {
                        ds.add(RowFactory.create(
                                d.component() == null ? null : d.component().key(),
                                d.tensor(),
                                d.sha256(),
                                d.elements(),
                                d.constant()));
                    }
                    StringBuilder comps = new StringBuilder();
                    cf.widths()
                            .forEach((c, w) -> comps.append(comps.isEmpty() ? "" : ";")
                                    .append(c.key())
                                    .append('=')
                                    .append(w));
                    out.add(RowFactory.create(
                            m.id(),
                            m.sha(),
                            m.createdAt(),
                            m.declaredBase(),
                            cf.fingerprint().architecture(),
                            cf.fingerprint().parameters(),
                            comps.toString(),
                            cf.tokenizerId(),
                            cf.tokenMinHash() == null ? null : TokenSketch.toBytes(cf.tokenMinHash()),
                            SketchCodec.encode(cf.sketches()),
                            file.toString(),
                            r.weightBytes(),
                            r.plannedRequests(),
                            r.plannedBytes(),
                            r.fetched().ranges(),
                            r.fetched().resolves(),
                            r.fetched().bytes(),
                            r.unplannedRequests(),
                            r.fetched().throttled(),
                            (System.nanoTime() - w0) / 1e6,
                            (mx.getCurrentThreadCpuTime() - cpu0) / 1e6,
                            "ok",
                            null,
                            scala.jdk.javaapi.CollectionConverters.asScala(ds).toSeq()));
                } catch (IOException | dev.pedigree.io.ModelFormatException | RuntimeException e) {
                    // One model's failure is recorded in its row; the census goes on.
                    out.add(RowFactory.create(
                            m.id(),
                            m.sha(),
                            m.createdAt(),
                            m.declaredBase(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            (System.nanoTime() - w0) / 1e6,
                            (mx.getCurrentThreadCpuTime() - cpu0) / 1e6,
                            "error",
                            e.getClass().getSimpleName() + ": " + e.getMessage(),
                            null));
                }
            }
        }
        return out.iterator();
    }

    // ------------------------------------------------------------------ S2

    private Map<String, String> tokenizerFamilies(Dataset<Row> ok, String runId) {
        List<TokenizerFamilies.Vocab> vocabs = new ArrayList<>();
        Map<String, byte[]> sig = new TreeMap<>();
        for (Row r : ok.filter(col("tokenizer_id").isNotNull())
                .select("tokenizer_id", "token_minhash")
                .dropDuplicates("tokenizer_id")
                .collectAsList()) {
            vocabs.add(new TokenizerFamilies.Vocab(r.getString(0), TokenSketch.fromBytes((byte[]) r.get(1))));
            sig.put(r.getString(0), (byte[]) r.get(1));
        }
        Map<String, String> fam = new HashMap<>(TokenizerFamilies.families(vocabs));
        List<Row> rows = new ArrayList<>();
        fam.forEach((id, f) -> rows.add(RowFactory.create(id, sig.get(id), f)));
        write(spark.createDataFrame(rows, Tables.TOKENIZERS_SCHEMA).coalesce(1), runId, Tables.TOKENIZERS);
        return fam;
    }

    /** component=width pairs of the models table's {@code components} column. */
    static Map<LineageComponent, Integer> components(String s) {
        Map<LineageComponent, Integer> out = new EnumMap<>(LineageComponent.class);
        if (s == null || s.isEmpty()) {
            return out;
        }
        for (String kv : s.split(";")) {
            int eq = kv.indexOf('=');
            out.put(LineageComponent.ofKey(kv.substring(0, eq)), Integer.parseInt(kv.substring(eq + 1)));
        }
        return out;
    }

    /**
     * The blocks of a model: one per component, keyed by the tokenizer family for text and by the
     * residual width for other components, so that sketch products run only among models that could
     * share lineage in that component.
     */
    static List<Row> blocks(Row r, Map<String, String> tokFamily) {
        List<Row> out = new ArrayList<>();
        String tok = r.getAs("tokenizer_id");
        for (Map.Entry<LineageComponent, Integer> c :
                components(r.getAs("components")).entrySet()) {
            // Text is blocked by tokenizer family alone: width-pruned derivatives change the residual width,
            // and the row-norm channel compares across widths. Towers without a tokenizer are blocked by width.
            String key = c.getKey() == LineageComponent.TEXT
                    ? "text:" + (tok == null ? "none:" + c.getValue() : tokFamily.get(tok))
                    : c.getKey().key() + ":" + c.getValue();
            out.add(RowFactory.create(key, r.getAs("model_id"), r.getAs("created_at"), r.getAs("sketches")));
        }
        return out;
    }

    private static final StructType SCORE_SCHEMA = new StructType()
            .add("block", DataTypes.StringType)
            .add("later", DataTypes.StringType)
            .add("earlier", DataTypes.StringType)
            .add("score", DataTypes.DoubleType);

    /** Exact all-pairs sketch scores within blocks, one Spark row per (tile, tile) pair of a block; the passing pairs. */
    static Dataset<Row> sketchScores(Dataset<Row> members, int tileSize) {
        Dataset<Row> tiles = members.withColumn(
                        "tile",
                        floor(row_number()
                                .over(Window.partitionBy("block").orderBy("created_at", "model_id"))
                                .minus(1)
                                .divide(tileSize)))
                .groupBy("block", "tile")
                .agg(collect_list(struct(col("model_id"), col("created_at"), col("sketches")))
                        .as("ms"));
        Dataset<Row> tilePairs = tiles.alias("x")
                .join(
                        tiles.alias("y"),
                        col("x.block").equalTo(col("y.block")).and(col("x.tile").leq(col("y.tile"))))
                .select(
                        col("x.block").as("block"),
                        col("x.tile").as("tx"),
                        col("x.ms").as("mx"),
                        col("y.tile").as("ty"),
                        col("y.ms").as("my"));
        return tilePairs.flatMap(
                (FlatMapFunction<Row, Row>) r -> {
                    List<SketchScores.Member> a = tileMembers(r.getList(2));
                    List<SketchScores.Member> b = tileMembers(r.getList(4));
                    List<Row> out = new ArrayList<>();
                    for (SketchScores.Score s : SketchScores.tile(a, b, r.getLong(1) == r.getLong(3))) {
                        out.add(RowFactory.create(r.getString(0), s.later(), s.earlier(), s.score()));
                    }
                    return out.iterator();
                },
                Encoders.row(SCORE_SCHEMA));
    }

    private static List<SketchScores.Member> tileMembers(List<Row> rows) {
        List<SketchScores.Member> out = new ArrayList<>();
        for (Row m : rows) {
            out.add(new SketchScores.Member(
                    new Holder(m.getString(0), m.getString(1)), SketchCodec.decode((byte[]) m.get(2))));
        }
        return out;
    }

    /**
     * Each model against the best-scoring {@code r} earlier roots of its blocks. A block root has no
     * earlier partner and at least one later one: the first model of a cluster of related models.
     */
    private static Dataset<Row> rootTests(Dataset<Row> members, Dataset<Row> scores, int r) {
        Dataset<Row> withEarlier =
                scores.select(col("block"), col("later").as("model_id")).distinct();
        Dataset<Row> withLater =
                scores.select(col("block"), col("earlier").as("model_id")).distinct();
        Dataset<Row> roots = members.join(withEarlier, new String[] {"block", "model_id"}, "left_anti")
                .join(withLater, new String[] {"block", "model_id"}, "left_semi");
        StructType s = new StructType()
                .add("a", DataTypes.StringType)
                .add("b", DataTypes.StringType)
                .add("score", DataTypes.DoubleType);
        Dataset<Row> scored = members.alias("m")
                .join(
                        roots.alias("r"),
                        col("m.block")
                                .equalTo(col("r.block"))
                                .and(col("r.created_at")
                                        .lt(col("m.created_at"))
                                        .or(col("r.created_at")
                                                .equalTo(col("m.created_at"))
                                                .and(col("r.model_id").lt(col("m.model_id"))))))
                .select(
                        col("m.model_id"),
                        col("m.created_at"),
                        col("m.sketches"),
                        col("r.model_id"),
                        col("r.created_at"),
                        col("r.sketches"))
                .map(
                        (MapFunction<Row, Row>) x -> {
                            SketchScores.Score sc = SketchScores.score(
                                    new SketchScores.Member(
                                            new Holder(x.getString(0), x.getString(1)),
                                            SketchCodec.decode((byte[]) x.get(2))),
                                    new SketchScores.Member(
                                            new Holder(x.getString(3), x.getString(4)),
                                            SketchCodec.decode((byte[]) x.get(5))));
                            return RowFactory.create(
                                    x.getString(0), x.getString(3), Double.isNaN(sc.score()) ? -2.0 : sc.score());
                        },
                        Encoders.row(s));
        return scored.withColumn(
                        "rn",
                        row_number()
                                .over(Window.partitionBy("a")
                                        .orderBy(col("score").desc(), col("b"))))
                .filter(col("rn").leq(r))
                .select(col("a"), col("b"), lit("root").as("source"))
                .distinct();
    }

    private static final StructType PAIR_SCHEMA =
            new StructType().add("a", DataTypes.StringType).add("b", DataTypes.StringType);

    /** (x, xc, y, yc) → (a, b) with a the later of the two. */
    private static Row orient(Row r) {
        Holder x = new Holder(r.getString(0), r.getString(1));
        Holder y = new Holder(r.getString(2), r.getString(3));
        return x.compareTo(y) > 0
                ? RowFactory.create(x.modelId(), y.modelId())
                : RowFactory.create(y.modelId(), x.modelId());
    }

    /** (a, b, component, shared): sampled tensors identical between a and the earliest holder b of each digest. */
    static Dataset<Row> exactPairs(Dataset<Row> digests) {
        Dataset<Row> evidential = digests.filter(col("component")
                .isNotNull()
                .and(col("constant").equalTo(false))
                .and(col("elements").geq(TensorDigest.MIN_ELEMENTS)));
        return spokes(evidential, "sample_digest", col("component"))
                .groupBy("a", "b", "component")
                .agg(count(lit(1)).as("shared"));
    }

    /** The star spokes of every group of rows sharing {@code key}: (a, b, component). */
    private static Dataset<Row> spokes(Dataset<Row> rows, String key, org.apache.spark.sql.Column component) {
        StructType s = new StructType()
                .add("a", DataTypes.StringType)
                .add("b", DataTypes.StringType)
                .add("component", DataTypes.StringType);
        return rows.select(col(key).as("key"), component.as("component"), col("model_id"), col("created_at"))
                .groupBy("key", "component")
                .agg(collect_list(struct(col("model_id"), col("created_at"))).as("holders"))
                .flatMap(
                        (FlatMapFunction<Row, Row>) g -> {
                            List<Holder> hs = new ArrayList<>();
                            for (Row h : g.<Row>getList(2)) {
                                hs.add(new Holder(h.getString(0), h.getString(1)));
                            }
                            List<Row> out = new ArrayList<>();
                            for (ExactStar.Spoke sp : ExactStar.spokes(hs)) {
                                out.add(RowFactory.create(sp.later(), sp.earliest(), g.getString(1)));
                            }
                            return out.iterator();
                        },
                        Encoders.row(s));
    }

    /** (b, a, sources, sa, sb) → candidates row with the sketch score of the pair. */
    private static Row scoreCandidate(Row r) {
        String b = r.getAs("b");
        String a = r.getAs("a");
        SketchScores.Score s = SketchScores.score(
                new SketchScores.Member(new Holder(a, "1"), SketchCodec.decode((byte[]) r.getAs("sa"))),
                new SketchScores.Member(new Holder(b, "0"), SketchCodec.decode((byte[]) r.getAs("sb"))));
        return RowFactory.create(a, b, r.getAs("sources"), Double.isNaN(s.score()) ? null : s.score());
    }

    // ------------------------------------------------------------------ S3

    private static Iterator<Row> testPartition(Iterator<Row> it, String version) throws IOException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        FingerprintCache cache = FingerprintCache.get();
        List<Row> out = new ArrayList<>();
        while (it.hasNext()) {
            Row r = it.next();
            String b = r.getAs("b");
            String a = r.getAs("a");
            Double score = r.isNullAt(r.fieldIndex("score")) ? null : r.getAs("score");
            long cpu0 = mx.getCurrentThreadCpuTime();
            try {
                ComparisonResult c = FingerprintPairComparator.compare(
                        cache.load(r.getAs("pa")), cache.load(r.getAs("pb")), CompareOptions.DEFAULT);
                double ms = (mx.getCurrentThreadCpuTime() - cpu0) / 1e6;
                Map<LineageComponent, ComponentResult> per = perComponent(c);
                if (per.isEmpty()) {
                    out.add(RowFactory.create(
                            a,
                            b,
                            LineageComponent.TEXT.key(),
                            Verdict.INCONCLUSIVE.name(),
                            null,
                            "test",
                            0,
                            score,
                            ms,
                            version));
                }
                for (Map.Entry<LineageComponent, ComponentResult> e : per.entrySet()) {
                    ComponentResult cr = e.getValue();
                    out.add(RowFactory.create(
                            a, b, e.getKey().key(), cr.verdict().name(), cr.log10p(), "test", 0, score, ms, version));
                }
            } catch (dev.pedigree.io.ModelFormatException | IOException | IllegalArgumentException e) {
                throw new IOException("testing " + a + " against " + b + ": " + e.getMessage(), e);
            }
        }
        return out.iterator();
    }

    /**
     * One verdict per census component: shared if any of the engine's components of that kind is
     * shared (the strongest p-value), otherwise independent if any is, otherwise inconclusive.
     */
    static Map<LineageComponent, ComponentResult> perComponent(ComparisonResult c) {
        Map<LineageComponent, ComponentResult> out = new EnumMap<>(LineageComponent.class);
        for (ComponentResult r : c.components()) {
            LineageComponent lc = LineageComponent.of(r.kind());
            if (lc == null) {
                continue;
            }
            ComponentResult cur = out.get(lc);
            if (cur == null || rank(r) > rank(cur) || (rank(r) == rank(cur) && p(r) < p(cur))) {
                out.put(lc, r);
            }
        }
        return out;
    }

    private static int rank(ComponentResult r) {
        return switch (r.verdict()) {
            case SHARED_LINEAGE -> 2;
            case INDEPENDENT -> 1;
            case INCONCLUSIVE -> 0;
        };
    }

    private static double p(ComponentResult r) {
        return r.log10p() == null ? 0 : r.log10p();
    }

    static String pedigreeVersion() {
        String v = CensusJob.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    // ------------------------------------------------------------------ storage

    private void write(Dataset<Row> d, String runId, String table) {
        d.write()
                .mode("errorifexists")
                .parquet(store.runDir(runId).resolve(table).toUri().toString());
    }

    private Dataset<Row> read(String runId, String table) {
        return spark.read().parquet(store.runDir(runId).resolve(table).toUri().toString());
    }

    /** The components a set of edges covers (for summaries). */
    static Set<LineageComponent> componentsOf(List<FamilyGraph.Edge> edges) {
        Set<LineageComponent> s = EnumSet.noneOf(LineageComponent.class);
        for (FamilyGraph.Edge e : edges) {
            s.add(e.component());
        }
        return s;
    }
}
