package dev.pedigree.census.cli;

import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.census.hub.HubListing;
import dev.pedigree.census.hub.LoopbackHub;
import dev.pedigree.census.spark.CensusJob;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by {@code build} and {@code update}: which hub, where the census goes, how Spark runs. */
final class HubOptions {
    @Option(
            names = "--hub",
            required = true,
            description =
                    "a simulated hub directory (served on loopback HTTP), 'hf' for the Hugging Face hub ($HF_ENDPOINT, token from $HF_TOKEN), or a hub URL")
    String hub;

    @Option(names = "--out", required = true, description = "census directory (runs/, CURRENT, lineage.db)")
    Path out;

    @Option(
            names = "--master",
            defaultValue = "local[*]",
            description =
                    "Spark master: local[*] (in this JVM, default), local[N], spark://…, k8s://…, yarn; 'submit' keeps what spark-submit set")
    String master;

    @Option(names = "--limit", defaultValue = "1000000", description = "list at most this many models (oldest first)")
    int limit;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description = "partitions per stage (0: twice the cores); results do not depend on it")
    int partitions;

    @Option(
            names = "--top-k",
            defaultValue = "5",
            description = "best earlier sketch partners tested per model; default ${DEFAULT-VALUE}")
    int topK;

    @Option(
            names = "--root-tests",
            defaultValue = "3",
            description = "best earlier block roots tested per model; default ${DEFAULT-VALUE}")
    int rootTests;

    @Option(
            names = "--units",
            defaultValue = "32",
            description = "sampled indices per dimension (in 4 contiguous blocks); default ${DEFAULT-VALUE}")
    int units;

    @Option(
            names = "--layer-stride",
            defaultValue = "1",
            description = "sample every this many layers (large models); default ${DEFAULT-VALUE}")
    int layerStride;

    @Option(
            names = "--rate-limit-every",
            defaultValue = "500",
            description =
                    "simulated hub only: answer every Nth request 429 with Retry-After (0: never); default ${DEFAULT-VALUE}")
    int rateLimitEvery;

    /** The hub as a started endpoint: a loopback server for a simulated hub (closed with the result). */
    record Endpoint(URI uri, String token, LoopbackHub server, Path simulated, String filter) implements AutoCloseable {
        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }

    Endpoint start() throws IOException {
        if (hub.equals("hf")) {
            String env = System.getenv("HF_ENDPOINT");
            return new Endpoint(
                    URI.create(env == null || env.isBlank() ? "https://huggingface.co" : env),
                    System.getenv("HF_TOKEN"),
                    null,
                    null,
                    "safetensors");
        }
        if (hub.startsWith("http://") || hub.startsWith("https://")) {
            return new Endpoint(URI.create(hub), System.getenv("HF_TOKEN"), null, null, "safetensors");
        }
        Path dir = Path.of(hub);
        if (!Files.isRegularFile(dir.resolve(HubListing.FILE))) {
            throw new IOException(
                    dir + ": not a simulated hub (no " + HubListing.FILE + "; pedigree census sim writes one)");
        }
        LoopbackHub server = LoopbackHub.start(dir, new LoopbackHub.Options(rateLimitEvery, 1, 3600));
        return new Endpoint(server.endpoint(), null, server, dir, null);
    }

    CensusJob.Settings settings(Endpoint e) {
        CensusProfile p = CensusProfile.DEFAULT.withUnits(units).withLayerStride(layerStride);
        return new CensusJob.Settings(e.uri(), e.token(), p, topK, rootTests, 4096, 300, partitions);
    }

    String sparkMaster() {
        return master.equals("submit") ? null : master;
    }
}
