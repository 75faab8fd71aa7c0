package dev.pedigree.census.cli;

import dev.pedigree.census.spark.CensusSpark;
import dev.pedigree.census.spark.CensusStore;
import dev.pedigree.census.spark.IndexExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code census export}: the current run as a SQLite lineage index. */
@Command(name = "export", description = "Write the current run's models, edges and families to a SQLite lineage index.")
final class ExportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "census directory")
    Path out;

    @Option(names = "--sqlite", required = true, description = "index file to write")
    Path sqlite;

    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master; default ${DEFAULT-VALUE}")
    String master;

    @Override
    public Integer call() throws Exception {
        CensusStore store = new CensusStore(out);
        store.requireCurrent();
        SparkSession spark = CensusSpark.session(master);
        try {
            String run = IndexExport.sqlite(spark, store, sqlite);
            spec.commandLine().getOut().printf("run %s exported to %s%n", run, sqlite);
        } finally {
            spark.stop();
        }
        return 0;
    }
}
