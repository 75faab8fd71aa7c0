package dev.pedigree.census;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.census.fetch.FetchCounters;
import dev.pedigree.census.fetch.HubClient;
import dev.pedigree.census.fetch.SampledModelFetcher;
import dev.pedigree.census.fingerprint.CensusFingerprint.SketchChannel;
import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.hub.LoopbackHub;
import dev.pedigree.census.sim.GroundTruth;
import dev.pedigree.census.sim.SimKind;
import dev.pedigree.census.sim.SimulatedHub;
import dev.pedigree.fingerprint.FingerprintPairComparator;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.format.safetensors.SafetensorsEntry;
import dev.pedigree.format.safetensors.SafetensorsHeader;
import dev.pedigree.io.ByteSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against the loopback hub, and the fingerprint-pair tests on what it fetched, without Spark. */
class SimulatedHubFetchTest {
    @TempDir
    static Path dir;

    static GroundTruth truth;
    static final Map<String, SampledModelFetcher.Result> fetched = new HashMap<>();
    static final Map<String, LoopbackHub.ModelStats> served = new HashMap<>();
    static final Map<String, List<long[]>> servedRanges = new HashMap<>();
    static long refused;
    static FetchCounters.Snapshot total;

    @BeforeAll
    static void fetchAll() throws Exception {
        truth = SimulatedHub.write(dir.resolve("hub"), new SimulatedHub.Options(21, 3, 7));
        try (LoopbackHub hub = LoopbackHub.start(dir.resolve("hub"), new LoopbackHub.Options(500, 1, 3600));
                HubClient client = new HubClient(hub.endpoint(), null, 4, Duration.ofSeconds(5))) {
            List<HubModel> models = client.list(1000, null);
            assertThat(models).hasSize(21);
            for (HubModel m : models) {
                fetched.put(m.id(), SampledModelFetcher.fetch(client, m, CensusProfile.DEFAULT));
                served.put(m.id(), hub.stats(m.id()));
                servedRanges.put(m.id(), hub.servedRanges(m.id(), "model.safetensors"));
            }
            refused = hub.refused();
            total = client.counters().snapshot();
        }
    }

    @Test
    void everyFileIsResolvedOnceAndTheServerSawWhatThePlanPredicted() {
        for (var e : fetched.entrySet()) {
            LoopbackHub.ModelStats s = served.get(e.getKey());
            assertThat(s.resolvesPerFile().values()).as(e.getKey()).allMatch(n -> n == 1);
            SampledModelFetcher.Result r = e.getValue();
            assertThat(r.unplannedRequests()).as(e.getKey()).isZero();
            int smallFiles = s.resolvesPerFile().size() - 1; // config, tokenizer, README (read whole or not at all)
            // The server counts a request before answering it: an attempt that failed in transport (a reset
            // connection on a loaded machine) and was sent again is counted there and not here. Every such extra
            // request must be one the client says it resent; with none resent the counts are equal.
            long resent = r.fetched().resent();
            long extraRanges = s.rangeRequests() - r.fetched().ranges();
            long extraResolves = s.resolves() - r.fetched().resolves();
            assertThat(extraRanges).as(e.getKey()).isNotNegative();
            assertThat(extraResolves).as(e.getKey()).isNotNegative();
            assertThat(extraRanges + extraResolves).as(e.getKey()).isLessThanOrEqualTo(resent);
            if (resent == 0) {
                assertThat(r.fetched().bytes()).as(e.getKey()).isEqualTo(s.bytes());
            } else {
                assertThat(r.fetched().bytes()).as(e.getKey()).isLessThanOrEqualTo(s.bytes());
            }
            assertThat(smallFiles).isGreaterThan(0);
        }
    }

    @Test
    void rateLimitsAreWaitedOutAsTheHubAsks() {
        assertThat(refused).isGreaterThan(0);
        assertThat(total.throttled()).isEqualTo(refused);
        assertThat(total.waitedMillis()).isGreaterThanOrEqualTo(1000 * refused);
    }

    @Test
    void noSampledMatrixIsReadWhole() throws Exception {
        int checked = 0;
        for (String id : fetched.keySet()) {
            Path file = SimulatedHub.repoDir(dir.resolve("hub"), id).resolve("model.safetensors");
            SafetensorsHeader h;
            try (ByteSource src = ByteSource.map(file)) {
                h = SafetensorsHeader.read(src);
            }
            List<long[]> ranges = servedRanges.get(id);
            for (SafetensorsEntry e : h.entries()) {
                if (e.shape().rank() != 2 || e.shape().dim(0) <= CensusProfile.DEFAULT.units()) {
                    continue;
                }
                long from = h.dataStart() + e.begin();
                long to = h.dataStart() + e.end() - 1;
                assertThat(ranges).as(id + " " + e.name()).noneMatch(r -> r[0] <= from && r[1] >= to);
                checked++;
            }
            SampledModelFetcher.Result r = fetched.get(id);
            assertThat(r.plannedBytes()).as(id).isLessThan(r.weightBytes());
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void pairTestsFindEveryDerivativeOfTheBaseAndNoIndependent() throws Exception {
        String base = truth.ids(SimKind.BASE).get(0);
        for (GroundTruth.Entry e : truth.models()) {
            if (e.id().equals(base) || e.kind() == SimKind.VISION_ROOT) {
                continue;
            }
            ComparisonResult c = FingerprintPairComparator.compare(
                    fetched.get(e.id()).fingerprint().fingerprint(),
                    fetched.get(base).fingerprint().fingerprint(),
                    CompareOptions.DEFAULT);
            Verdict text = c.components().stream()
                    .filter(x -> x.name().equals("text"))
                    .map(ComponentResult::verdict)
                    .findFirst()
                    .orElse(Verdict.INCONCLUSIVE);
            StringBuilder sk = new StringBuilder();
            for (SketchChannel ch : SketchChannel.values()) {
                var a = fetched.get(e.id()).fingerprint().sketches().get(ch);
                var b = fetched.get(base).fingerprint().sketches().get(ch);
                sk.append(' ')
                        .append(ch)
                        .append('=')
                        .append(a == null || b == null ? "-" : String.format("%.2f", a.correlation(b)));
            }
            System.out.println(e.kind() + " " + c.verdict() + " text=" + text + " log10p=" + c.log10p() + sk);
            assertThat(c.verdict())
                    .as(e.id())
                    .isEqualTo(e.kind().derivative() ? Verdict.SHARED_LINEAGE : Verdict.INDEPENDENT);
        }
    }
}
