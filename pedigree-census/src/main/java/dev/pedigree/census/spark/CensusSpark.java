package dev.pedigree.census.spark;

import org.apache.spark.sql.SparkSession;

/**
 * Starts the census's Spark session: in-process ({@code local[*]}, the default) or attached to a
 * cluster master. Checks the JDK first: Spark 4.2 supports JDK 25 from 25.0.3 on (earlier 25s have
 * a G1 bug that corrupts pinned buffers, JDK-8377811). Stateless.
 */
public final class CensusSpark {
    private CensusSpark() {}

    /** The smallest supported JDK 25 update. */
    public static final int MIN_JDK25_UPDATE = 3;

    /**
     * A session for {@code master} ({@code local[*]}, {@code local[N]}, {@code spark://…},
     * {@code k8s://…}, {@code yarn}); null keeps what {@code spark-submit} configured.
     *
     * @throws IllegalStateException if the JDK is older than 25.0.3
     */
    public static SparkSession session(String master) {
        requireSupportedJdk(Runtime.version());
        SparkSession.Builder b = SparkSession.builder()
                .appName("pedigree-census")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                // Census tables are small per run and models few per shuffle; Spark's 200 default partitions
                // would make every local stage schedule hundreds of empty tasks.
                .config(
                        "spark.sql.shuffle.partitions",
                        Integer.toString(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())))
                .config("spark.sql.adaptive.enabled", "true");
        if (master != null) {
            b.master(master);
        }
        SparkSession s = b.getOrCreate();
        s.sparkContext().setLogLevel("WARN");
        return s;
    }

    static void requireSupportedJdk(Runtime.Version v) {
        if (v.feature() < 25 || (v.feature() == 25 && v.update() < MIN_JDK25_UPDATE)) {
            throw new IllegalStateException("the census needs JDK 25.0." + MIN_JDK25_UPDATE
                    + " or later (Spark 4.2 on earlier JDK 25 updates risks G1 corruption, JDK-8377811); this is " + v);
        }
    }
}
