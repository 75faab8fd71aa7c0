package dev.pedigree.forensics;

import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Every test id the engine emits is built here, and {@link #family} maps an id back to its {@link
 * TestFamily}, so that the grammar of ids has one home. An id reads {@code [scope.]subject.statistic}:
 *
 * <ul>
 *   <li>block tests: {@code block<i>~<j>.} (suspect block i against reference block j), optionally
 *       {@code expert<e>.}, then the tensor ({@code attn.q}, {@code mlp.up}, ...) and the statistic,
 *       e.g. {@code block3~5.mlp.up.match}; {@code mlp.gate_up.agreement}, {@code attn.qk.invariant},
 *       {@code norm.attn_norm.centred} and the stage markers {@code attn.stage2}, {@code mlp.stage2};
 *   <li>token rows: {@code embeddings.columns.pearson}, {@code lm_head.rows.pearson_aligned};
 *   <li>tensors outside blocks: {@code tensor.<role>[.<layer>][.expert<e>].<statistic>};
 *   <li>a stack's combinations: {@code blocks.fisher_exact}, {@code blocks.cauchy_all};
 *   <li>exact reuse of a component: {@code tensors.identical} ({@link IdenticalTensors}).
 * </ul>
 *
 * <p>The ids are part of the {@code pedigree/compare/v1} JSON ({@code evidence[].test}) and must not
 * change. Stateless.
 */
public final class TestIds {
    private TestIds() {}

    /** The statistic an id ends with, and the family it belongs to. */
    public enum Statistic {
        PEARSON("pearson", TestFamily.FIXED_INDEX_CORRELATION),
        PEARSON_ALIGNED("pearson_aligned", TestFamily.FIXED_INDEX_CORRELATION),
        MATCH("match", TestFamily.HIDDEN_UNIT_MATCH),
        MATCH_ALIGNED("match_aligned", TestFamily.HIDDEN_UNIT_MATCH),
        CKA_ALIGNED("cka_aligned", TestFamily.ALIGNED_CKA),
        INVARIANT("invariant", TestFamily.ATTENTION_INVARIANT),
        CENTRED("centred", TestFamily.CENTRED_VECTOR),
        AGREEMENT("agreement", TestFamily.MATCH_AGREEMENT),
        MATCH_HELD_OUT("match_heldout", TestFamily.HELD_OUT_MATCH),
        SIGN_SYMMETRY("sign_symmetry", TestFamily.HELD_OUT_MATCH),
        STAGE_SKIPPED("stage2", TestFamily.SKIPPED_STAGE),
        FISHER_EXACT("fisher_exact", TestFamily.FISHER),
        CAUCHY_ALL("cauchy_all", TestFamily.CAUCHY),
        IDENTICAL("identical", TestFamily.IDENTICAL_TENSORS);

        private final String suffix;
        private final TestFamily family;

        Statistic(String suffix, TestFamily family) {
            this.suffix = suffix;
            this.family = family;
        }

        /** The last segment of the id. */
        public String suffix() {
            return suffix;
        }

        public TestFamily family() {
            return family;
        }
    }

    /** The two sublayers of a block whose second stage may be skipped. */
    public enum Sublayer {
        ATTENTION("attn"),
        MLP("mlp");

        private final String key;

        Sublayer(String key) {
            this.key = key;
        }
    }

    /** Fisher's combination of a stack's exact matchings over its suspect blocks. */
    public static final String FISHER_OVER_BLOCKS = of("blocks", Statistic.FISHER_EXACT);
    /** Cauchy combination over a stack's blocks and stack tensors. */
    public static final String CAUCHY_OVER_BLOCKS = of("blocks", Statistic.CAUCHY_ALL);
    /** Bonferroni combination of a stack's held-out matchings over its suspect blocks. */
    public static final String HELD_OUT_OVER_BLOCKS = of("blocks", Statistic.MATCH_HELD_OUT);
    /** A stack's v/o head-dimension sign-symmetry test, its blocks pooled (issue 14 §3). */
    public static final String SIGN_SYMMETRY_OVER_BLOCKS = of("blocks.attn.vo", Statistic.SIGN_SYMMETRY);

    // ------------------------------------------------------------------ building

    /** {@code subject.statistic}. */
    public static String of(String subject, Statistic statistic) {
        return subject + "." + statistic.suffix;
    }

    /** Scope of the tests of suspect block {@code i} against reference block {@code j}, e.g. {@code block3~5.}. */
    public static String blockPair(int i, int j) {
        return "block" + i + "~" + j + ".";
    }

    /** Scope of an expert's tests inside a block pair's scope, e.g. {@code block3~5.expert2.}. */
    public static String expert(String scope, int expert) {
        return scope + "expert" + expert + ".";
    }

    /** A block tensor's test, e.g. {@code block3~5.attn.q.pearson}. */
    public static String ofRole(String scope, Role role, Statistic statistic) {
        return of(scope + roleName(role), statistic);
    }

    /** Agreement of the matchings of two MLP matrices, e.g. {@code block3~5.mlp.gate_up.agreement}. */
    public static String agreement(String scope, Role first, Role second) {
        return of(scope + "mlp." + mlpName(first) + "_" + mlpName(second), Statistic.AGREEMENT);
    }

    /** The attention invariant of a block pair, {@code block3~5.attn.qk.invariant}. */
    public static String attentionInvariant(String scope) {
        return of(scope + "attn.qk", Statistic.INVARIANT);
    }

    /** A norm gain's ({@link Part#WEIGHT}) or a bias's centred statistic, e.g. {@code block3~5.norm.attn_norm.centred}. */
    public static String centred(String scope, Part part, Role role) {
        return of(scope + (part == Part.BIAS ? "bias." : "norm.") + roleName(role), Statistic.CENTRED);
    }

    /** The marker of a sublayer's skipped second stage, e.g. {@code block3~5.mlp.stage2}. */
    public static String stageSkipped(String scope, Sublayer sublayer) {
        return of(scope + sublayer.key, Statistic.STAGE_SKIPPED);
    }

    /** A token-row component's fixed-basis test (residual coordinates as units), e.g. {@code embeddings.columns.match}. */
    public static String tokenColumns(String component, Statistic statistic) {
        return of(component + ".columns", statistic);
    }

    /** A token-row component's held-out rows after the alignment, e.g. {@code lm_head.rows.pearson_aligned}. */
    public static String heldOutTokenRows(String component) {
        return of(component + ".rows", Statistic.PEARSON_ALIGNED);
    }

    /** Subject of a tensor outside the blocks, e.g. {@code tensor.patch_embedding} or {@code tensor.attn_q.2.expert1}. */
    public static String tensor(Role role, Integer layer, Integer expert) {
        return "tensor." + role.name().toLowerCase(Locale.ROOT)
                + (layer == null ? "" : "." + layer)
                + (expert == null ? "" : ".expert" + expert);
    }

    /** The name of a block tensor in ids: {@code attn.q} … {@code mlp.down}, otherwise the role in lower case. */
    static String roleName(Role role) {
        return switch (role) {
            case ATTN_Q -> "attn.q";
            case ATTN_K -> "attn.k";
            case ATTN_V -> "attn.v";
            case ATTN_O -> "attn.o";
            case MLP_GATE -> "mlp.gate";
            case MLP_UP -> "mlp.up";
            case MLP_DOWN -> "mlp.down";
            default -> role.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String mlpName(Role role) {
        return switch (role) {
            case MLP_GATE -> "gate";
            case MLP_UP -> "up";
            case MLP_DOWN -> "down";
            default -> throw new IllegalArgumentException("not an MLP matrix: " + role);
        };
    }

    // ------------------------------------------------------------------ reading

    private static final Pattern BLOCK = Pattern.compile("^block\\d+~\\d+\\.");
    private static final Pattern EXPERT = Pattern.compile("(^|\\.)expert\\d+\\.");
    /** Prefix of the ids the stats module gives its matchings ({@code zhu.match.spearman}, ...) before the engine renames them. */
    private static final String STATS_MATCH_PREFIX = "zhu.match";

    /**
     * The family of a test id: its block and expert scopes are ignored and its last segment names
     * the statistic. Ids this version does not build give {@link TestFamily#UNKNOWN}.
     */
    public static TestFamily family(String testId) {
        String t = EXPERT.matcher(BLOCK.matcher(testId).replaceFirst("")).replaceAll("$1");
        if (t.startsWith(STATS_MATCH_PREFIX)) {
            return TestFamily.HIDDEN_UNIT_MATCH;
        }
        for (Statistic s : Statistic.values()) {
            if (t.endsWith("." + s.suffix)) {
                return s.family;
            }
        }
        // Recognised as before the ids had one home: the combinations by their ending alone, and the
        // unaligned CKA of earlier versions (JSON read back by the report command).
        if (t.endsWith(Statistic.FISHER_EXACT.suffix)) {
            return TestFamily.FISHER;
        }
        if (t.endsWith(Statistic.CAUCHY_ALL.suffix)) {
            return TestFamily.CAUCHY;
        }
        if (t.endsWith(".cka")) {
            return TestFamily.ALIGNED_CKA;
        }
        return TestFamily.UNKNOWN;
    }
}
