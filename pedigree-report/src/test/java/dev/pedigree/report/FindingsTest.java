package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.model.LineageClaim;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingsTest {
    @Test
    void pValuesInWords() {
        assertThat(Findings.pValue(null)).isEqualTo("no test ran");
        assertThat(Findings.pValue(-1.3665)).isEqualTo("p = 0.043");
        assertThat(Findings.pValue(0.0)).isEqualTo("p = 1.0");
        assertThat(Findings.pValue(-8.5)).isEqualTo("p = 3.2 \u00d7 10^-9");
        assertThat(Findings.pValue(-9.0)).isEqualTo("p = 1.0 \u00d7 10^-9");
        assertThat(Findings.pValue(-8.0000001)).isEqualTo("p = 1.0 \u00d7 10^-8");
        // Capped at 10^-100: beyond it chance is no credible explanation; the exact value is in the details.
        assertThat(Findings.pValue(-412.7)).isEqualTo("p < 10^-100");
        assertThat(Findings.pValue(-300.2)).isEqualTo("p < 10^-100");
        assertThat(Findings.pValue(-99.5)).isEqualTo("p = 3.2 \u00d7 10^-100");
        assertThat(Findings.pSentence(-412.7)).isEqualTo("p below 10^-100: chance is not a credible explanation");
        assertThat(Findings.exactLog10p(-412.7)).isEqualTo("log10 p = -412.7");
    }

    @Test
    void parametersAndShares() {
        assertThat(Findings.parameters(632_000_000)).isEqualTo("632 M");
        assertThat(Findings.parameters(6_752_000_000L)).isEqualTo("6.8 B");
        assertThat(Findings.parameters(22_713_216)).isEqualTo("22.7 M");
        assertThat(Findings.parameters(12_300)).isEqualTo("12.3 K");
        assertThat(Findings.parameters(950)).isEqualTo("950");
        assertThat(Findings.share(632_000_000, 6_752_000_000L)).isEqualTo("9%");
        assertThat(Findings.share(20_000_000, 6_752_000_000L)).isEqualTo("0.3%");
        assertThat(Findings.share(1, 6_752_000_000L)).isEqualTo("<0.1%");
        assertThat(Findings.share(1, 0)).isEqualTo("n/a");
        assertThat(Findings.percent(1.0)).isEqualTo("100%");
        assertThat(Findings.percent(0.9996)).isEqualTo("99.9%");
        assertThat(Findings.percent(0)).isEqualTo("0%");
    }

    @Test
    void transplantSentences() {
        ComparisonResult r = Cases.transplant();
        List<String> s = Findings.componentSentences(r, "openai/clip-vit-large-patch14");
        assertThat(s)
                .containsExactly(
                        "The vision encoder (632 M parameters, 9% of the model) is related to openai/clip-vit-large-patch14: lightly changed (median relative change 5%); overwhelming evidence (p < 10^-100).",
                        "The language model (6.1 B parameters, 90% of the model) shows no sign of it: none found with adequate power (p = 0.16).",
                        "The multimodal projector (20 M parameters, 0.3% of the model): cannot tell; the reference has no projector.");
        assertThat(Findings.answer(r, "openai/clip-vit-large-patch14"))
                .isEqualTo(
                        "Yes: vlm-7b shares an origin with openai/clip-vit-large-patch14; 1 of 3 components related (the vision encoder). "
                                + "Overwhelming evidence (p below 10^-100: chance is not a credible explanation). The weights do not show which came first: they are relatives.");
        assertThat(Findings.question(r, null))
                .isEqualTo(
                        "Do the weights of vlm-7b and clip-vit-large-patch14 share an origin (one derived from the other, or both from a common ancestor)?");
        assertThat(Relation.looksLike(r)).contains("merge");
    }

    @Test
    void unrelatedAndTokenizerOnly() {
        ComparisonResult b = Cases.unrelated();
        assertThat(Findings.answer(b, null))
                .isEqualTo(
                        "No: tests with the power to detect a shared origin with e5-small-v2 found none. None found with adequate power (p = 0.38).");
        assertThat(Findings.componentSentences(b, null).get(0))
                .isEqualTo(
                        "The text encoder (21.3 M parameters, 64% of the model) shows no sign of a shared origin with e5-small-v2: none found with adequate power (p = 0.38).");
        ComparisonResult d = Cases.tokenizerOnly();
        assertThat(Findings.componentSentences(d, null)).isEmpty();
        assertThat(Findings.question(d, "meta-llama/Llama-2-7b"))
                .startsWith("Does the tokenizer of ")
                .endsWith(
                        " come from that of meta-llama/Llama-2-7b (the same vocabulary, or one built from the other)?")
                .doesNotContain("weights");
        assertThat(Findings.answer(d, "meta-llama/Llama-2-7b"))
                .startsWith("No weights were given; the answer comes from the tokenizers alone. ")
                .contains(
                        "The suspect's tokenizer is derived from that of meta-llama/Llama-2-7b: 99.9% of the smaller vocabulary is inherited in creation order, 2,400 tokens added, 12 removed (special tokens: 3 added, 1 removed).")
                .endsWith("never as proof of it.");
    }

    @Test
    void declaredClaimsAgainstTheWeights() {
        ComparisonResult c = Cases.transplant();
        // Declares another base model: not tested, and the CLIP ancestor is undeclared.
        List<ClaimCheck> k = ClaimCheck.check(c, Cases.transplantClaims(), "openai/clip-vit-large-patch14");
        assertThat(k)
                .extracting(ClaimCheck::status)
                .containsExactly(ClaimCheck.Status.NOT_TESTED, ClaimCheck.Status.UNDECLARED_RELATIVE);
        assertThat(k.get(1).status().flagged()).isTrue();
        // Declares the reference: confirmed.
        List<ClaimCheck> ok = ClaimCheck.check(
                c,
                List.of(new LineageClaim("base_model", "openai/clip-vit-large-patch14", "README.md")),
                "openai/clip-vit-large-patch14");
        assertThat(ok).extracting(ClaimCheck::status).containsExactly(ClaimCheck.Status.CONFIRMED);
        // The same claim matched by the source path's last segment when no display name is given.
        assertThat(ClaimCheck.check(
                        c,
                        List.of(new LineageClaim(
                                "base_model", "https://huggingface.co/openai/clip-vit-large-patch14", "x")),
                        null))
                .extracting(ClaimCheck::status)
                .containsExactly(ClaimCheck.Status.CONFIRMED);
        // A declared base model that the weights contradict.
        ComparisonResult b = Cases.unrelated();
        List<ClaimCheck> bad = ClaimCheck.check(
                b,
                List.of(new LineageClaim("base_model", "intfloat/e5-small-v2", "README.md")),
                "intfloat/e5-small-v2");
        assertThat(bad).extracting(ClaimCheck::status).containsExactly(ClaimCheck.Status.CONTRADICTED);
        assertThat(bad.get(0).message()).contains("contradicted");
        // Inconclusive: not verified. Not read: nothing.
        assertThat(ClaimCheck.check(
                        Cases.tokenizerOnly(), List.of(new LineageClaim("base_model", "llama", "x")), "llama"))
                .extracting(ClaimCheck::status)
                .containsExactly(ClaimCheck.Status.NOT_VERIFIED);
        assertThat(ClaimCheck.check(c, null, null)).isEmpty();
        // No claims at all but shared lineage: undeclared ancestor.
        assertThat(ClaimCheck.check(Cases.int8(), List.of(), null))
                .extracting(ClaimCheck::status)
                .containsExactly(ClaimCheck.Status.UNDECLARED_RELATIVE);
    }

    @Test
    void methodFamiliesFromTestIds() {
        assertThat(MethodCatalogue.family("block3~5.mlp.up.match").key()).isEqualTo("hidden-unit-match");
        assertThat(MethodCatalogue.family("block0~0.expert3.mlp.up.match_aligned")
                        .key())
                .isEqualTo("hidden-unit-match");
        assertThat(MethodCatalogue.family("zhu.match.spearman").key()).isEqualTo("hidden-unit-match");
        assertThat(MethodCatalogue.family("block0~0.mlp.gate_up.agreement").key())
                .isEqualTo("match-agreement");
        assertThat(MethodCatalogue.family("embeddings.rows.pearson_aligned").key())
                .isEqualTo("fixed-index-correlation");
        assertThat(MethodCatalogue.family("tensor.lm_head.pearson").key()).isEqualTo("fixed-index-correlation");
        assertThat(MethodCatalogue.family("block1~1.attn.q.cka_aligned").key()).isEqualTo("aligned-cka");
        assertThat(MethodCatalogue.family("block1~1.attn.qk.invariant").weak()).isTrue();
        assertThat(MethodCatalogue.family("block1~1.norm.attn_norm.centred").weak())
                .isTrue();
        assertThat(MethodCatalogue.family("blocks.fisher_exact").key()).isEqualTo("fisher");
        assertThat(MethodCatalogue.family("blocks.cauchy_all").key()).isEqualTo("cauchy");
        assertThat(MethodCatalogue.family("something.new").key()).isEqualTo("other");
    }

    @Test
    void scriptsOfTokens() {
        assertThat(TokenScripts.count(Cases.tokenizerOnly().tokenizer().addedExamples()))
                .containsExactly(
                        java.util.Map.entry("Cyrillic", 2L),
                        java.util.Map.entry("Han", 2L),
                        java.util.Map.entry("Devanagari", 1L),
                        java.util.Map.entry("Digits/punctuation", 1L),
                        java.util.Map.entry("Greek", 1L),
                        java.util.Map.entry("Latin", 1L));
        assertThat(TokenScripts.script(" \u0120hello")).isEqualTo("Latin");
    }

    @Test
    void undecidedBlocksSayWhatToDo() {
        ComparisonResult r = undecided("no block test applies (shapes or roles differ)");
        assertThat(Findings.componentSentences(r, "ref").get(0))
                .isEqualTo(
                        "The text encoder (21.3 M parameters, 64% of the model): cannot tell; no block test applies "
                                + "(shapes or roles differ). No tokenizer was given to align the two models (neither side has a "
                                + "tokenizer): pass the model directories with their tokenizers, or compare with a reference of the same width.");
        assertThat(Relation.looksLike(r)).isEmpty();
        assertThat(Relation.modelCardSnippet(r, "ref")).isEmpty();
    }

    /** The engine's facts (widths, depths, vocabularies, tokenizers, remedy) reach the answer and the component. */
    @Test
    void undecidedAnswerCarriesTheEnginesFacts() {
        String reason = "text blocks are 512 wide in the suspect (12 layers) and 384 wide in the reference (6 layers);"
                + " vocabularies have 21,128 and 30,522 rows and no tokenizer was given to align them: pass the model"
                + " directories with their tokenizers (tokenizer.json or vocab.txt)";
        ComparisonResult r = undecided(reason);
        assertThat(Findings.answer(r, "ref"))
                .startsWith("Cannot tell: no weight test could run, so the weights say nothing either way; for the text"
                        + " encoder, " + reason + ". ");
        assertThat(Findings.componentSentences(r, "ref").get(0))
                .isEqualTo("The text encoder (21.3 M parameters, 64% of the model): cannot tell; " + reason + ".");
    }

    private static ComparisonResult undecided(String reason) {
        ComparisonResult u = Cases.unrelated();
        dev.pedigree.forensics.result.ComponentResult text = u.components().get(0);
        return new ComparisonResult(
                u.schema(),
                u.suspect(),
                u.reference(),
                dev.pedigree.forensics.result.Verdict.INCONCLUSIVE,
                null,
                List.of(new dev.pedigree.forensics.result.ComponentResult(
                        text.name(),
                        text.kind(),
                        text.parameters(),
                        dev.pedigree.forensics.result.Verdict.INCONCLUSIVE,
                        null,
                        List.of(),
                        reason)),
                List.of(),
                dev.pedigree.forensics.result.TokenizerLineage.absent("neither side has a tokenizer"),
                0.0,
                List.of(),
                List.of(),
                null,
                u.sampling(),
                u.thresholds());
    }

    @Test
    void theAnswersEffectIsTheMeasuredClosenessWhereThereIsOne() {
        ComparisonResult r = Cases.transplant();
        // The strongest counted test's effect is not how close the weights are: with the vision tower's closeness
        // measured (r = 0.88 over matched tensors), the answer quotes that.
        java.util.List<dev.pedigree.forensics.result.ComponentResult> comps = r.components().stream()
                .map(c -> c.name().equals("vision")
                        ? c.withCloseness(new dev.pedigree.forensics.result.Closeness(
                                0.8812,
                                1.0,
                                0.49,
                                false,
                                java.util.List.of(new dev.pedigree.forensics.result.Closeness.BlockCloseness(
                                        new dev.pedigree.forensics.result.Block("vision", 0),
                                        new dev.pedigree.forensics.result.Block("vision", 0),
                                        0.8812,
                                        1.0,
                                        0.49,
                                        false))))
                        : c)
                .toList();
        ComparisonResult measured = Cases.withComponents(r, comps);
        assertThat(Findings.answer(measured, "openai/clip-vit-large-patch14"))
                .contains("; matched weights correlate r = 0.88; unrelated models \u2248 0.");
    }

    @Test
    void sentencesSideBySideEachEndWithAFullStop() {
        assertThat(Findings.sentences(
                        "p < 10^-100 after correcting (Holm), needed to call it related",
                        "",
                        "Matched weights correlate r = 0.88.",
                        null))
                .isEqualTo(
                        "p < 10^-100 after correcting (Holm), needed to call it related. Matched weights correlate r = 0.88.");
        assertThat(Findings.sentences("", null)).isEmpty();
    }
}
