package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.forensics.TestIds.Sublayer;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The test-id grammar: the ids the builders spell, and a known family for every id the engine emits. */
class TestIdsTest {

    @Test
    void buildersSpellTheContractIds() {
        String p = TestIds.blockPair(3, 5);
        assertThat(p).isEqualTo("block3~5.");
        assertThat(TestIds.ofRole(p, Role.MLP_UP, Statistic.MATCH)).isEqualTo("block3~5.mlp.up.match");
        assertThat(TestIds.ofRole(TestIds.expert(p, 2), Role.MLP_GATE, Statistic.MATCH_ALIGNED))
                .isEqualTo("block3~5.expert2.mlp.gate.match_aligned");
        assertThat(TestIds.ofRole(p, Role.ATTN_Q, Statistic.PEARSON_ALIGNED))
                .isEqualTo("block3~5.attn.q.pearson_aligned");
        assertThat(TestIds.ofRole(p, Role.ATTN_K, Statistic.CKA_ALIGNED)).isEqualTo("block3~5.attn.k.cka_aligned");
        assertThat(TestIds.agreement(p, Role.MLP_GATE, Role.MLP_DOWN)).isEqualTo("block3~5.mlp.gate_down.agreement");
        assertThat(TestIds.attentionInvariant(p)).isEqualTo("block3~5.attn.qk.invariant");
        assertThat(TestIds.centred(p, Part.WEIGHT, Role.ATTN_NORM)).isEqualTo("block3~5.norm.attn_norm.centred");
        assertThat(TestIds.centred(p, Part.BIAS, Role.ATTN_Q)).isEqualTo("block3~5.bias.attn.q.centred");
        assertThat(TestIds.stageSkipped(p, Sublayer.MLP)).isEqualTo("block3~5.mlp.stage2");
        assertThat(TestIds.stageSkipped(p, Sublayer.ATTENTION)).isEqualTo("block3~5.attn.stage2");
        assertThat(TestIds.tokenColumns("embeddings", Statistic.MATCH)).isEqualTo("embeddings.columns.match");
        assertThat(TestIds.heldOutTokenRows("lm_head")).isEqualTo("lm_head.rows.pearson_aligned");
        assertThat(TestIds.of(TestIds.tensor(Role.PATCH_EMBEDDING, null, null), Statistic.PEARSON))
                .isEqualTo("tensor.patch_embedding.pearson");
        assertThat(TestIds.of(TestIds.tensor(Role.ATTN_Q, 2, 1), Statistic.MATCH))
                .isEqualTo("tensor.attn_q.2.expert1.match");
        assertThat(TestIds.FISHER_OVER_BLOCKS).isEqualTo("blocks.fisher_exact");
        assertThat(TestIds.CAUCHY_OVER_BLOCKS).isEqualTo("blocks.cauchy_all");
    }

    @Test
    void familiesIgnoreTheScopesAndReadTheStatistic() {
        for (Statistic s : Statistic.values()) {
            assertThat(TestIds.family(TestIds.ofRole(TestIds.expert(TestIds.blockPair(0, 1), 4), Role.MLP_UP, s)))
                    .as(s.name())
                    .isEqualTo(s.family());
            assertThat(TestIds.family(TestIds.of(TestIds.tensor(Role.LM_HEAD, null, null), s)))
                    .as(s.name())
                    .isEqualTo(s.family());
        }
        // The stats module's own matching ids, and the unaligned CKA of earlier versions.
        assertThat(TestIds.family("zhu.match.spearman")).isEqualTo(TestFamily.HIDDEN_UNIT_MATCH);
        assertThat(TestIds.family("block1~1.attn.q.cka")).isEqualTo(TestFamily.ALIGNED_CKA);
        assertThat(TestIds.family("something.new")).isEqualTo(TestFamily.UNKNOWN);
        // A scope alone is not a statistic.
        assertThat(TestIds.family("block1~2.match")).isEqualTo(TestFamily.UNKNOWN);
        assertThat(TestIds.family("expert3.match")).isEqualTo(TestFamily.UNKNOWN);
    }

    /**
     * Runs the engine on the simulated derivations and controls (dense and MoE decoders, an encoder,
     * a vision tower with a projector, pruned, restacked and vocabulary-changed models, sampled and
     * whole reads) and checks that every id it emits has a known family, and that every family is
     * emitted somewhere.
     */
    @Test
    void everyIdTheEngineEmitsHasAKnownFamily() throws Exception {
        Config cfg = Config.smallDecoder();
        SimModel base = SyntheticTransformer.random("base", cfg, 1);
        SimModel enc = SyntheticTransformer.random("enc", Config.smallEncoder(), 1);
        Map<String, SimModel[]> pairs = new LinkedHashMap<>();
        pairs.put("noise", new SimModel[] {DerivationSimulator.noise(base, 1, 3), base});
        pairs.put("independent", new SimModel[] {SyntheticTransformer.random("ind", cfg, 2), base});
        pairs.put("permuted", new SimModel[] {DerivationSimulator.permuteHiddenAndHeads(base, 4), base});
        pairs.put("every second layer", new SimModel[] {
            DerivationSimulator.restack(base, Component.TEXT_DECODER, new int[] {0, 2}), base
        });
        pairs.put(
                "upcycled",
                new SimModel[] {DerivationSimulator.upcycle(base, Component.TEXT_DECODER, 4, 0.5, 12), base});
        pairs.put(
                "width pruned",
                new SimModel[] {DerivationSimulator.widthPruning(base, Component.TEXT_DECODER, 0.25, 0.25, 5), base});
        pairs.put("vocabulary extended", new SimModel[] {DerivationSimulator.extendVocabulary(base, 128, 6), base});
        pairs.put("encoder", new SimModel[] {enc, enc});
        pairs.put("multimodal", new SimModel[] {
            SimulatedLineageTest.multimodal("s", 1, 100, 300), SimulatedLineageTest.multimodal("r", 2, 100, 200)
        });
        Set<String> unknown = new TreeSet<>();
        Set<TestFamily> seen = EnumSet.noneOf(TestFamily.class);
        List<String> ids = new ArrayList<>();
        for (Map.Entry<String, SimModel[]> e : pairs.entrySet()) {
            for (CompareOptions o : List.of(CompareOptions.DEFAULT, CompareOptions.DEFAULT.withSampleRows(32))) {
                ComparisonResult r = LineageComparator.compare(e.getValue()[0].toView(), e.getValue()[1].toView(), o);
                for (ComponentResult c : r.components()) {
                    for (Evidence ev : c.evidence()) {
                        ids.add(ev.test());
                        TestFamily f = TestIds.family(ev.test());
                        seen.add(f);
                        if (f == TestFamily.UNKNOWN) {
                            unknown.add(e.getKey() + ": " + ev.test());
                        }
                    }
                }
            }
        }
        assertThat(ids).hasSizeGreaterThan(500);
        assertThat(unknown).isEmpty();
        assertThat(seen).isEqualTo(EnumSet.complementOf(EnumSet.of(TestFamily.UNKNOWN)));
    }
}
