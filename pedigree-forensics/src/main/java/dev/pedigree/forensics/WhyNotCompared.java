package dev.pedigree.forensics;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The reason a component could not be compared, in facts a user can act on: the widths and depths
 * of the blocks on each side, the vocabulary rows, whether a tokenizer was given, and the remedy
 * ("text blocks are 512 wide in the suspect (12 layers) and 384 wide in the reference (6 layers);
 * vocabularies have 21,128 and 30,522 rows and no tokenizer was given to align them: pass the model
 * directories with their tokenizers"). The sentences start in lower case: they follow "cannot tell;"
 * in the reports. Stateless; reads shapes only, never values.
 */
final class WhyNotCompared {
    private WhyNotCompared() {}

    /** Norm vectors whose length is a block's residual width, most telling first. */
    private static final List<Role> WIDTH_NORMS =
            List.of(Role.ATTN_NORM, Role.POST_ATTN_NORM, Role.MLP_NORM, Role.POST_MLP_NORM);

    /**
     * Why no block test applied between the suspect's stack {@code comp} and the reference's stack
     * {@code refComp}: widths and depths, or the roles and shapes of their first blocks, then the
     * vocabularies of a text stack and the remedy.
     */
    static String stack(ModelIndex s, ModelIndex r, String comp, String refComp, boolean textStack) {
        List<Integer> ls = s.layers(comp);
        List<Integer> lr = r.layers(refComp);
        Integer ws = width(s, comp);
        Integer wr = width(r, refComp);
        String blocks = noun(comp) + " blocks";
        StringBuilder sb = new StringBuilder();
        boolean widthsDiffer = ws != null && wr != null && !ws.equals(wr);
        if (widthsDiffer) {
            sb.append(blocks)
                    .append(" are ")
                    .append(count(ws))
                    .append(" wide in the suspect (")
                    .append(depth(s, comp, ls.size(), ws))
                    .append(") and ")
                    .append(count(wr))
                    .append(" wide in the reference (")
                    .append(depth(r, refComp, lr.size(), wr))
                    .append(")");
        } else {
            sb.append(blocks)
                    .append(ws == null ? "" : " are " + count(ws) + " wide on both sides but")
                    .append(" have no tensor of the same role and shape (")
                    .append(firstBlockDifference(s, r, comp, refComp, ls, lr))
                    .append(")");
        }
        if (textStack && widthsDiffer) {
            String vocab = vocabularies(s, r);
            if (!vocab.isEmpty()) {
                sb.append("; ").append(vocab);
                return sb.toString();
            }
        }
        return sb.append(
                        widthsDiffer
                                ? ": compare with a reference of the same width"
                                : ": compare with a reference of the same architecture")
                .toString();
    }

    /**
     * Why the token rows of {@code role} (embeddings or head) could not be compared: the missing
     * tensor, or rows that cannot be paired by token.
     */
    static String tokenRows(ModelIndex s, ModelIndex r, Role role, TensorRef a, TensorRef b) {
        String what = role == Role.LM_HEAD ? "output head" : "token-embedding";
        if (a == null) {
            return "the suspect has no " + what + " tensor to compare";
        }
        if (b == null) {
            return "the reference has no " + what + " tensor to compare";
        }
        String vocab = vocabularies(s, r);
        return "the " + what + " rows cannot be paired by token" + (vocab.isEmpty() ? "" : ": " + vocab);
    }

    /** Why token rows paired by token gave no test: too few shared tokens, or rows too narrow. */
    static String tokenRowsUntested(int sharedTokens, int suspectWidth, int referenceWidth) {
        if (sharedTokens < BatteryContext.MIN_FEATURES) {
            return "the tokenizers share only " + count(sharedTokens) + " token" + (sharedTokens == 1 ? "" : "s")
                    + " with rows in both models, fewer than the " + BatteryContext.MIN_FEATURES
                    + " a test needs: compare with a reference of the same tokenizer family";
        }
        return "token rows are too narrow to compare (" + count(suspectWidth) + " and " + count(referenceWidth)
                + " values wide)";
    }

    /** Why a component has no partner: the reference lacks it; names what the reference has instead. */
    static String noPartner(ModelIndex r, String comp) {
        List<String> has = new ArrayList<>(r.components.keySet());
        return "the reference has no " + comp + " component"
                + (has.isEmpty() ? " (it has no weights)" : " (it has: " + String.join(", ", has) + ")");
    }

    /** Why a component without blocks gave no test: how many of its weights have a partner, and their shapes. */
    static String flat(ModelIndex s, ModelIndex r, String comp) {
        int weights = 0;
        int partnered = 0;
        String firstDiff = null;
        for (ModelIndex.Key k : s.keys(comp)) {
            if (k.part() != Part.WEIGHT) {
                continue;
            }
            weights++;
            TensorRef b = r.byKey.get(k);
            if (b == null) {
                continue;
            }
            partnered++;
            TensorRef a = s.byKey.get(k);
            if (firstDiff == null && !a.shape().equals(b.shape())) {
                firstDiff =
                        role(k.role()) + " is " + a.shape() + " in the suspect and " + b.shape() + " in the reference";
            }
        }
        if (partnered == 0) {
            return "none of the suspect's " + count(weights) + " " + comp + " weight" + (weights == 1 ? "" : "s")
                    + " has a partner of the same role in the reference"
                    + (r.components.containsKey(comp) ? "" : ", which has no " + comp + " component");
        }
        return count(partnered) + " of the suspect's " + count(weights) + " " + comp + " weights have a partner"
                + " of the same role, but none of the same shape"
                + (firstDiff == null ? "" : " (" + firstDiff + ")")
                + " or large enough to test";
    }

    /** Why the experts gave no test: the reference has none, or none could be paired. */
    static String experts(ModelIndex s, ModelIndex r) {
        if (!r.components.containsKey(Component.EXPERTS.name())) {
            return "the reference has no experts (mixture-of-experts layers) to pair them with";
        }
        return "no expert could be paired with the reference's: the suspect has " + expertsPerBlock(s)
                + " experts per block and the reference " + expertsPerBlock(r);
    }

    /**
     * The vocabularies' rows, whether tokenizers were given, and the remedy; empty when a side has no
     * token embeddings.
     */
    static String vocabularies(ModelIndex s, ModelIndex r) {
        TensorRef es = s.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
        TensorRef er = r.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
        if (es == null || er == null) {
            return "";
        }
        int rowsS = ModelIndex.matrixShape(es)[0];
        int rowsR = ModelIndex.matrixShape(er)[0];
        boolean tokS = s.view.vocabulary().isPresent();
        boolean tokR = r.view.vocabulary().isPresent();
        String rows = rowsS == rowsR
                ? "both vocabularies have " + count(rowsS) + " rows"
                : "vocabularies have " + count(rowsS) + " and " + count(rowsR) + " rows";
        if (!tokS || !tokR) {
            String whose = !tokS && !tokR ? "" : !tokS ? " for the suspect" : " for the reference";
            return rows + " and no tokenizer was given" + whose + " to align them: pass the model "
                    + (!tokS && !tokR ? "directories" : "directory") + " with "
                    + (!tokS && !tokR ? "their tokenizers" : "its tokenizer") + " (tokenizer.json or vocab.txt)";
        }
        return rows + " and both tokenizers were given, but the shared tokens did not align the two widths:"
                + " compare with a reference of the same width";
    }

    /**
     * A stack's residual width: the length of a block norm, else the input width of the attention
     * query; null when neither is there.
     */
    static Integer width(ModelIndex m, String comp) {
        List<Integer> layers = m.layers(comp);
        if (layers.isEmpty()) {
            return null;
        }
        int l = layers.getFirst();
        for (Role role : WIDTH_NORMS) {
            TensorRef t = m.weight(comp, l, role);
            if (t != null && t.shape().rank() == 1) {
                return (int) t.shape().dim(0);
            }
        }
        TensorRef q = m.weight(comp, l, Role.ATTN_Q);
        return q == null || q.shape().rank() != 2 ? null : ModelIndex.matrixShape(q)[1];
    }

    /** "12 layers, MLP 1,536": depth and, when it can be read, the MLP width. */
    private static String depth(ModelIndex m, String comp, int layers, int width) {
        String d = count(layers) + (layers == 1 ? " layer" : " layers");
        List<Integer> ls = m.layers(comp);
        TensorRef up = ls.isEmpty() ? null : m.weight(comp, ls.getFirst(), Role.MLP_UP);
        if (up != null && up.shape().rank() == 2) {
            long a = up.shape().dim(0);
            long b = up.shape().dim(1);
            if (a == width ^ b == width) {
                d += ", MLP " + count(a == width ? b : a);
            }
        }
        return d;
    }

    /** The first difference between the two first blocks: roles only one side has, or the first shape that differs. */
    private static String firstBlockDifference(
            ModelIndex s, ModelIndex r, String comp, String refComp, List<Integer> ls, List<Integer> lr) {
        if (ls.isEmpty() || lr.isEmpty()) {
            return (ls.isEmpty() ? "the suspect" : "the reference") + " has no " + noun(comp) + " blocks";
        }
        Map<Role, TensorRef> a = blockWeights(s, comp, ls.getFirst());
        Map<Role, TensorRef> b = blockWeights(r, refComp, lr.getFirst());
        for (Map.Entry<Role, TensorRef> e : a.entrySet()) {
            TensorRef t = b.get(e.getKey());
            if (t != null && !t.shape().equals(e.getValue().shape())) {
                return role(e.getKey()) + " is " + e.getValue().shape() + " in the suspect and " + t.shape()
                        + " in the reference";
            }
        }
        return "a block holds " + roles(a) + " in the suspect and " + roles(b) + " in the reference";
    }

    private static Map<Role, TensorRef> blockWeights(ModelIndex m, String comp, int layer) {
        Map<Role, TensorRef> out = new LinkedHashMap<>();
        for (ModelIndex.Key k : m.keys(comp)) {
            if (Objects.equals(k.layer(), layer) && k.part() == Part.WEIGHT && k.expert() == null) {
                out.putIfAbsent(k.role(), m.byKey.get(k));
            }
        }
        return out;
    }

    private static String roles(Map<Role, TensorRef> m) {
        return m.isEmpty()
                ? "no weights"
                : String.join(
                        ", ", m.keySet().stream().map(WhyNotCompared::role).toList());
    }

    private static int expertsPerBlock(ModelIndex m) {
        int most = 0;
        for (int l : m.layers(Component.EXPERTS.name())) {
            most = Math.max(most, m.experts(l).size());
        }
        return most;
    }

    /** "attn_q": a role as the tensor names write it. */
    private static String role(Role r) {
        return r.name().toLowerCase(Locale.ROOT);
    }

    /** "text", "vision", ...: the component's name as a noun before "blocks"/"rows". */
    private static String noun(String comp) {
        return comp.replace('_', ' ');
    }

    /** 21128 → "21,128". */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
