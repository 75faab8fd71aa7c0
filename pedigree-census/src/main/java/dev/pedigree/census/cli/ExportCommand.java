package dev.pedigree.census.cli;

import dev.pedigree.census.fetch.HubClient;
import dev.pedigree.census.fetch.RootsPack;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.spark.CensusSpark;
import dev.pedigree.census.spark.CensusStore;
import dev.pedigree.census.spark.IndexExport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code census export}: the current run as a SQLite lineage index, and its roots as a registry pack. */
@Command(
        name = "export",
        description =
                "Write the current run's models, edges and families to a SQLite lineage index, and optionally"
                        + " a registry pack of its family roots for identify (fetched again from --hub with the registry's sampling).")
final class ExportCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "census directory")
    Path out;

    @Option(names = "--sqlite", description = "index file to write")
    Path sqlite;

    @Option(names = "--registry-pack", description = "registry pack of the family roots to write (needs --hub)")
    Path pack;

    @Option(names = "--hub", description = "the hub the census was built from (for --registry-pack)")
    String hub;

    @Option(names = "--master", defaultValue = "local[*]", description = "Spark master; default ${DEFAULT-VALUE}")
    String master;

    @Override
    public Integer call() throws Exception {
        if (sqlite == null && pack == null) {
            throw new ParameterException(spec.commandLine(), "give --sqlite FILE, --registry-pack FILE or both");
        }
        if (pack != null && hub == null) {
            throw new ParameterException(spec.commandLine(), "--registry-pack fetches the roots again: give --hub");
        }
        CensusStore store = new CensusStore(out);
        store.requireCurrent();
        SparkSession spark = CensusSpark.session(master);
        try {
            if (sqlite != null) {
                String run = IndexExport.sqlite(spark, store, sqlite);
                spec.commandLine().getOut().printf("run %s exported to %s%n", run, sqlite);
            }
            if (pack != null) {
                HubOptions h = new HubOptions();
                h.hub = hub;
                h.rateLimitEvery = 0;
                try (HubOptions.Endpoint e = h.start();
                        HubClient client = new HubClient(e.uri(), e.token(), 6, Duration.ofSeconds(300))) {
                    List<HubModel> roots = new ArrayList<>();
                    for (IndexExport.Root r : IndexExport.roots(spark, store)) {
                        roots.add(client.info(r.modelId(), r.sha(), r.createdAt(), r.declaredBase()));
                    }
                    int n = RootsPack.write(client, roots, pack);
                    spec.commandLine()
                            .getOut()
                            .printf("%d family roots written to %s (pedigree registry import %s)%n", n, pack, pack);
                }
            }
        } finally {
            spark.stop();
        }
        return 0;
    }
}
