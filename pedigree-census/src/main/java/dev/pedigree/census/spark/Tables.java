package dev.pedigree.census.spark;

import static org.apache.spark.sql.types.DataTypes.BinaryType;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import org.apache.spark.sql.types.StructType;

/**
 * The census's Parquet tables and their columns (docs/scale-out.md §4.1). Every stage reads and
 * writes these; a run directory holds one directory per table. Constants only.
 */
public final class Tables {
    private Tables() {}

    public static final String MODELS = "models";
    public static final String FILES = "files";
    public static final String TOKENIZERS = "tokenizers";
    public static final String TENSOR_DIGEST = "tensor_digest";
    public static final String CANDIDATES = "candidates";
    public static final String EDGES = "edges";
    public static final String FAMILIES = "families";

    /** One row per (repo, revision); fingerprint columns are null when status is not {@code ok}. */
    public static final StructType MODELS_SCHEMA = new StructType()
            .add("model_id", StringType, false)
            .add("sha", StringType, false)
            .add("created_at", StringType, false)
            .add("declared_base", StringType, true)
            .add("architecture", StringType, true)
            .add("parameters", LongType, true)
            .add("components", StringType, true) // "text=64;vision=48": component=residual width
            .add("tokenizer_id", StringType, true)
            .add("token_minhash", BinaryType, true)
            .add("sketches", BinaryType, true)
            .add("fingerprint_path", StringType, true)
            .add("weight_bytes", LongType, true)
            .add("planned_requests", LongType, true)
            .add("planned_bytes", LongType, true)
            .add("range_requests", LongType, true)
            .add("resolves", LongType, true)
            .add("bytes_fetched", LongType, true)
            .add("unplanned_requests", LongType, true)
            .add("throttled", LongType, true)
            .add("fetch_ms", DoubleType, true)
            .add("cpu_ms", DoubleType, true)
            .add("status", StringType, false)
            .add("error", StringType, true);

    public static final StructType FILES_SCHEMA = new StructType()
            .add("model_id", StringType, false)
            .add("created_at", StringType, false)
            .add("path", StringType, false)
            .add("size", LongType, false)
            .add("sha256", StringType, true);

    public static final StructType DIGEST_SCHEMA = new StructType()
            .add("model_id", StringType, false)
            .add("created_at", StringType, false)
            .add("component", StringType, true)
            .add("tensor", StringType, false)
            .add("sample_digest", StringType, false)
            .add("elements", IntegerType, false)
            .add("constant", BooleanType, false);

    public static final StructType TOKENIZERS_SCHEMA = new StructType()
            .add("tokenizer_id", StringType, false)
            .add("token_minhash", BinaryType, false)
            .add("tokenizer_family", StringType, false);

    /** A pair to test, oriented a = later, b = earlier; {@code sources} lists why (exact, file, sketch, root, declared). */
    public static final StructType CANDIDATES_SCHEMA = new StructType()
            .add("a", StringType, false)
            .add("b", StringType, false)
            .add("sources", StringType, false)
            .add("score", DoubleType, true);

    /** One row per tested pair and component (method test), or per exactly shared component (method exact). */
    public static final StructType EDGES_SCHEMA = new StructType()
            .add("a", StringType, false)
            .add("b", StringType, false)
            .add("component", StringType, false)
            .add("verdict", StringType, false)
            .add("log10p", DoubleType, true)
            .add("method", StringType, false)
            .add("shared_tensors", IntegerType, false)
            .add("score", DoubleType, true)
            .add("cpu_ms", DoubleType, true)
            .add("pedigree_version", StringType, false);

    public static final StructType FAMILIES_SCHEMA = new StructType()
            .add("model_id", StringType, false)
            .add("component", StringType, false)
            .add("family_id", StringType, false)
            .add("parent_id", StringType, true)
            .add("depth", IntegerType, false)
            .add("how", StringType, false);
}
