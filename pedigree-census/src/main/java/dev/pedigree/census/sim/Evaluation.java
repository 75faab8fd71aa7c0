package dev.pedigree.census.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A census's families scored against a simulated hub's {@link GroundTruth}, per component, over
 * pairs of models that have the component: a pair is positive when both are in the same family.
 * Also lists the derivatives found outside their family and the independent controls found inside
 * one. Immutable.
 *
 * @param components per component: its pair counts
 * @param missedDerivatives derivatives whose predicted family is not their root's
 * @param joinedIndependents independent controls (and standalone roots) placed in a family with another model
 * @param parentsRight derivatives whose predicted parent is their true parent (text component)
 * @param parentsTotal derivatives with a true parent
 * @param missedByKind how many models of each kind were missed (in any component)
 */
public record Evaluation(
        Map<String, Counts> components,
        List<String> missedDerivatives,
        List<String> joinedIndependents,
        int parentsRight,
        int parentsTotal,
        Map<SimKind, Integer> missedByKind) {

    /** Pair counts of one component. */
    public record Counts(long truePositives, long falsePositives, long falseNegatives, int models) {
        public double precision() {
            return truePositives + falsePositives == 0 ? 1 : truePositives / (double) (truePositives + falsePositives);
        }

        public double recall() {
            return truePositives + falseNegatives == 0 ? 1 : truePositives / (double) (truePositives + falseNegatives);
        }
    }

    /**
     * Scores predicted memberships.
     *
     * @param families component → model → predicted family id
     * @param parents model → predicted parent in the text component (absent or null for roots)
     */
    public static Evaluation of(
            GroundTruth truth, Map<String, Map<String, String>> families, Map<String, String> parents) {
        Map<String, Counts> out = new TreeMap<>();
        List<String> missed = new ArrayList<>();
        List<String> joined = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> c : truth.byComponent().entrySet()) {
            Map<String, String> t = c.getValue();
            Map<String, String> p = families.getOrDefault(c.getKey(), Map.of());
            List<String> ids = new ArrayList<>(t.keySet());
            long tp = 0;
            long fp = 0;
            long fn = 0;
            Map<String, Integer> predSize = new HashMap<>();
            for (String id : ids) {
                predSize.merge(p.getOrDefault(id, id), 1, Integer::sum);
            }
            for (int i = 0; i < ids.size(); i++) {
                for (int j = i + 1; j < ids.size(); j++) {
                    boolean st = t.get(ids.get(i)).equals(t.get(ids.get(j)));
                    boolean sp = p.getOrDefault(ids.get(i), ids.get(i)).equals(p.getOrDefault(ids.get(j), ids.get(j)));
                    if (st && sp) {
                        tp++;
                    } else if (sp) {
                        fp++;
                    } else if (st) {
                        fn++;
                    }
                }
            }
            out.put(c.getKey(), new Counts(tp, fp, fn, ids.size()));
            for (String id : ids) {
                String root = t.get(id);
                String pred = p.getOrDefault(id, id);
                if (!root.equals(id) && !pred.equals(p.getOrDefault(root, root))) {
                    missed.add(c.getKey() + ":" + id);
                }
                boolean alone = truth.models().stream()
                        .noneMatch(e ->
                                !e.id().equals(id) && root.equals(e.families().get(c.getKey())));
                if (alone && predSize.get(pred) > 1) {
                    joined.add(c.getKey() + ":" + id);
                }
            }
        }
        Map<SimKind, Integer> byKind = new java.util.EnumMap<>(SimKind.class);
        Map<String, SimKind> kinds = new HashMap<>();
        for (GroundTruth.Entry e : truth.models()) {
            kinds.put(e.id(), e.kind());
        }
        for (String m : missed) {
            byKind.merge(kinds.get(m.substring(m.indexOf(':') + 1)), 1, Integer::sum);
        }
        int right = 0;
        int total = 0;
        for (GroundTruth.Entry e : truth.models()) {
            if (e.parent() != null) {
                total++;
                if (e.parent().equals(parents.get(e.id()))) {
                    right++;
                }
            }
        }
        return new Evaluation(out, missed, joined, right, total, byKind);
    }

    /** A few lines for the terminal. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Counts> e : components.entrySet()) {
            Counts c = e.getValue();
            sb.append(String.format(
                    Locale.ROOT,
                    "%-7s %4d models  precision %.4f  recall %.4f  (pairs: %d true, %d false positive, %d missed)%n",
                    e.getKey(),
                    c.models(),
                    c.precision(),
                    c.recall(),
                    c.truePositives(),
                    c.falsePositives(),
                    c.falseNegatives()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "derivatives outside their family: %d%s%nindependent models inside a family: %d%s%nparents found: %d of %d (direction is best effort: a sibling as close as the parent can be taken for it)%n",
                missedDerivatives.size(),
                missedDerivatives.isEmpty() ? "" : " " + missedDerivatives,
                joinedIndependents.size(),
                joinedIndependents.isEmpty() ? "" : " " + joinedIndependents,
                parentsRight,
                parentsTotal));
        return sb.toString();
    }
}
