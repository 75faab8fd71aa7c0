package dev.pedigree.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ModelView;
import dev.pedigree.testkit.RealModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of issue 6: a registry holding the real ONNX models and simulated bases; identify
 * finds the true ancestor of every simulated derivative, nothing significant for independent
 * controls, and exact reuse of a transplanted encoder from hashes alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdentifyAcceptanceTest {
    /** all-MiniLM-L6, bge-small-en and e5-small descend from one MiniLM-L12 ancestor: any of them is a true ancestor of another. */
    static final Set<String> MINILM_FAMILY =
            Set.of(RealModels.ALL_MINILM_L6_V2, RealModels.BGE_SMALL_EN_V15, RealModels.E5_SMALL_V2);

    static final List<String> REAL = List.of(
            RealModels.ALL_MINILM_L6_V2,
            RealModels.BGE_SMALL_EN_V15,
            RealModels.E5_SMALL_V2,
            RealModels.BGE_SMALL_ZH_V15);

    Registry registry;
    final SimSuite suite = new SimSuite();

    @BeforeAll
    void fill(@TempDir Path dir) throws Exception {
        registry = Registry.open(dir.resolve("registry.db"));
        StringBuilder sizes = new StringBuilder("fingerprint sizes:\n");
        for (String name : REAL) {
            try (ModelView v = ModelOpener.open(RealModels.directory(name))) {
                long t0 = System.nanoTime();
                Fingerprint fp = Fingerprint.of(v);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                RegistryEntry e = registry.add(fp, new ModelMetadata(name, null, "MIT", null, List.of()));
                sizes.append(String.format(
                        Locale.ROOT,
                        "  %-22s %,12d model bytes  %,10d fingerprint bytes  %6.2f%%  units %d, anchors %d, %d ms%n",
                        name,
                        fp.modelBytes(),
                        e.fingerprintBytes(),
                        100.0 * e.fingerprintBytes() / fp.modelBytes(),
                        fp.units(),
                        fp.anchors().length,
                        ms));
                assertThat(100.0 * e.fingerprintBytes() / fp.modelBytes())
                        .as(name + " fingerprint % of model")
                        .isLessThan(2.0);
            }
        }
        for (SimModel b : suite.bases()) {
            Fingerprint fp = Fingerprint.of(b.toView());
            RegistryEntry e = registry.add(fp, ModelMetadata.named(b.name()));
            sizes.append(String.format(
                    Locale.ROOT,
                    "  %-22s %,12d model bytes  %,10d fingerprint bytes  %6.2f%%  units %d, anchors %d (toy model: below the 2%% regime)%n",
                    b.name(),
                    fp.modelBytes(),
                    e.fingerprintBytes(),
                    100.0 * e.fingerprintBytes() / fp.modelBytes(),
                    fp.units(),
                    fp.anchors().length));
        }
        System.out.print(sizes);
    }

    @AfterAll
    void close() throws Exception {
        registry.close();
    }

    @Test
    void findsTheTrueAncestorOfEverySimulatedDerivativeAndNothingForControls() throws Exception {
        StringBuilder table = new StringBuilder(String.format(
                Locale.ROOT,
                "%-28s %-15s %-22s %9s %s%n",
                "suspect",
                "identify",
                "best candidate",
                "log10 p",
                "exact reuse"));
        for (SimSuite.Case c : suite.cases()) {
            IdentifyResult r = Identifier.identify(c.suspect().toView(), registry, IdentifyOptions.DEFAULT);
            String best = r.best().map(x -> x.entry().name()).orElse("-");
            Double lp = r.best().map(x -> x.result().log10p()).orElse(null);
            table.append(String.format(
                    Locale.ROOT,
                    "%-28s %-15s %-22s %9s %s  (probe %d ms, pre-filter %d ms, tests %d ms; %d candidates)%n",
                    c.label(),
                    r.verdict(),
                    best,
                    lp == null ? "-" : String.format(Locale.ROOT, "%.1f", lp),
                    r.exactReuse().stream().map(TensorMatch::model).distinct().toList(),
                    r.timings().probeMillis(),
                    r.timings().prefilterMillis(),
                    r.timings().compareMillis(),
                    r.candidates().size()));
            if (c.ancestors().isEmpty()) {
                assertThat(r.verdict()).as(c.label()).isNotEqualTo(Verdict.SHARED_LINEAGE);
                assertThat(r.candidates())
                        .as(c.label())
                        .noneMatch(x -> x.result().verdict() == Verdict.SHARED_LINEAGE);
                assertThat(r.exactReuse()).as(c.label()).isEmpty();
            } else {
                assertThat(r.verdict()).as(c.label()).isEqualTo(Verdict.SHARED_LINEAGE);
                assertThat(r.best()).as(c.label()).isPresent();
                assertThat(c.ancestors()).as(c.label() + " best candidate").contains(best);
                assertThat(r.best().get().result().verdict()).as(c.label()).isEqualTo(Verdict.SHARED_LINEAGE);
            }
        }
        System.out.print(table);
    }

    @Test
    void exactReuseOfATransplantedEncoderIsReportedFromHashesAlone() throws Exception {
        SimSuite.Case vlm = suite.cases().stream()
                .filter(c -> c.label().equals("fresh+vision-encoder"))
                .findFirst()
                .orElseThrow();
        IdentifyResult r =
                Identifier.identify(vlm.suspect().toView(), registry, IdentifyOptions.DEFAULT.withMaxCandidates(1));
        assertThat(r.exactReuse())
                .isNotEmpty()
                .allMatch(m -> m.model().equals("sim-vision") && m.component().equals("vision"));
        long visionTensors = suite.vision.tensors().stream()
                .filter(t -> t.elementCount() >= Registry.MIN_REUSE_ELEMENTS)
                .count();
        assertThat(r.exactReuse()).hasSize((int) visionTensors);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.statement()).contains("unchanged cop").contains("sim-vision's (vision)");
        System.out.printf(
                Locale.ROOT,
                "exact reuse: %d vision tensors of sim-vision recognised by canonical hash (%s)%n",
                r.exactReuse().size(),
                r.statement());
    }

    /**
     * Issue 14 §1: a copy behind new tensor names and a tower behind another component label are
     * found by {@code compare} and {@code identify} alike, and a candidate with exact reuse reads
     * SHARED_LINEAGE with the identical tensors counted.
     */
    @Test
    void compareAndIdentifyAgreeWhenLabelsChange() throws Exception {
        for (String label : List.of("decoder+renamed", "dual-encoder+vision-is-encoder")) {
            SimSuite.Case c = suite.cases().stream()
                    .filter(x -> x.label().equals(label))
                    .findFirst()
                    .orElseThrow();
            SimModel base = suite.bases().stream()
                    .filter(b -> b.name().equals(c.ancestors().getFirst()))
                    .findFirst()
                    .orElseThrow();
            IdentifyResult id = Identifier.identify(c.suspect().toView(), registry, IdentifyOptions.DEFAULT);
            ComparisonResult cmp = LineageComparator.compare(
                    c.suspect().toView(), base.toView(), dev.pedigree.forensics.CompareOptions.DEFAULT);
            assertThat(id.verdict()).as(label).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(cmp.verdict()).as(label).isEqualTo(id.verdict());
            assertThat(id.exactReuse()).as(label).isNotEmpty();
            for (IdentifyResult.Candidate k : id.candidates()) {
                boolean reused = id.exactReuse().stream()
                        .anyMatch(m -> m.model().equals(k.entry().name()));
                if (reused) {
                    assertThat(k.result().verdict())
                            .as(label + " " + k.entry().name())
                            .isEqualTo(Verdict.SHARED_LINEAGE);
                    assertThat(k.result().components())
                            .as(label)
                            .anyMatch(x -> x.reason().startsWith("exact reuse: ")
                                    && x.reason().contains(" tensors, ")
                                    && x.reason().contains(" parameters identical"));
                }
            }
        }
    }

    @Test
    void realModelsAreRecognised() throws Exception {
        StringBuilder table = new StringBuilder();
        for (String name : List.of(
                RealModels.BGE_SMALL_EN_V15_Q,
                RealModels.ALL_MINILM_L6_V2_Q,
                RealModels.E5_SMALL_V2,
                RealModels.BGE_SMALL_ZH_V15)) {
            try (ModelView v = ModelOpener.open(RealModels.directory(name))) {
                IdentifyResult r = Identifier.identify(v, registry, IdentifyOptions.DEFAULT.withMaxCandidates(4));
                String best = r.best().map(x -> x.entry().name()).orElse("-");
                table.append(String.format(
                        Locale.ROOT,
                        "%-22s %-15s best %-20s %s%n",
                        name,
                        r.verdict(),
                        best,
                        r.candidates().stream()
                                .map(x -> x.entry().name() + "=" + x.result().verdict()
                                        + (x.result().log10p() == null
                                                ? ""
                                                : String.format(
                                                        Locale.ROOT,
                                                        "(%.1f)",
                                                        x.result().log10p())))
                                .toList()));
                assertThat(r.verdict()).as(name).isEqualTo(Verdict.SHARED_LINEAGE);
                String base = name.endsWith("-q") ? name.substring(0, name.length() - 2) : name;
                if (MINILM_FAMILY.contains(base)) {
                    assertThat(MINILM_FAMILY).as(name).contains(best);
                } else {
                    assertThat(best).as(name).isEqualTo(base);
                }
            }
        }
        System.out.print(table);
    }
}
