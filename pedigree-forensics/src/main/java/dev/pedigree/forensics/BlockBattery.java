package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.CentredVectorTest;
import dev.pedigree.stats.tests.Cka;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.InvariantTest;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tests run on one suspect block against one reference block of the same stacked component.
 * The screening battery is cheap (row-sampled aligned correlations and Gram CKA) and fills the full
 * block × block matrix; the full battery adds Zhu-style hidden-unit matchings (exact under H0),
 * their agreement across matrices, gain-folded attention invariants and the weak norm/bias
 * statistics. Reads a few tensors at a time. Not thread-safe.
 */
final class BlockBattery {
  private static final Role[] MLP_ROLES = {Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN};
  private static final Role[] ATTN_ROLES = {Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O};
  /**
   * Most units per tensor in the screening battery. Screening fills the whole block × block matrix,
   * and the correlation test costs units² × width per pair, so it uses fewer units than the full
   * battery: a derived block pair still lies far beyond the layer threshold with 256 units, and
   * the nulls are exact whatever the number of units.
   */
  static final int SCREEN_UNITS = 256;
  /**
   * Monte-Carlo permutations of the aligned Gram CKA (weak evidence, never combined; each costs
   * residual width² operations, so fewer than {@link Cka#DEFAULT_PERMUTATIONS}: its p-value floor
   * is 1/50, the split-wins bound covers the far tail).
   */
  static final int CKA_PERMUTATIONS = 49;
  /** Most experts of one block compared with their partner (cost bound). */
  static final int MAX_EXPERTS = 8;

  private final ModelIndex s;
  private final ModelIndex r;
  private final String component;
  private final SignedPermutation align;
  /** Residual width of the reference side the alignment was fitted on (its columns' range). */
  private final int alignFrom;
  private final Matrix anchorsS;
  private final Matrix anchorsR;
  private final int maxUnits;
  /** The --sample limit (null: every row); when set, no tensor is read beyond that many rows. */
  private final Integer sampleRows;
  private final long seed;

  /**
   * @param align residual alignment mapping reference columns into the suspect's basis (fitted as
   *     {@code ResidualAlignment.fit(reference, suspect)}; null: none)
   * @param alignFrom residual width of the reference embeddings the alignment was fitted on
   * @param anchorsS probe rows (token embeddings) for attention invariants, null when unavailable
   * @param sampleRows null to read whole tensors; otherwise at most this many seeded rows of each
   *     tensor are read, and only tensors whose rows are units (query/key/value, gate, up): the
   *     output-side tensors (o, down) have their units in columns, which cannot be sampled
   *     without reading every row
   */
  BlockBattery(ModelIndex s, ModelIndex r, String component, SignedPermutation align, int alignFrom, Matrix anchorsS, Matrix anchorsR, int maxUnits, Integer sampleRows, long seed) {
    this.s = s;
    this.r = r;
    this.component = component;
    this.align = align;
    this.alignFrom = alignFrom;
    this.anchorsS = anchorsS;
    this.anchorsR = anchorsR;
    this.maxUnits = maxUnits;
    this.sampleRows = sampleRows;
    this.seed = seed;
  }

  /**
   * Screening tests of block pair (i, j): block-specific statistics only (rows at fixed unit
   * indices, before and after the residual alignment). Gram CKA is left out on purpose: every
   * block of a derived model shares the residual basis, so CKA links a block to all blocks of its
   * parent and would blur the layer map.
   */
  List<TaggedTest> screen(int i, int j) throws IOException, ModelFormatException {
    List<TaggedTest> out = new ArrayList<>();
    String p = prefix(i, j);
    Role[] roles = sampleRows != null ? new Role[] {Role.ATTN_Q, Role.MLP_UP} : new Role[] {Role.ATTN_Q, Role.MLP_UP, Role.MLP_DOWN};
    for (Role role : roles) {
      TensorRef a = s.weight(component, i, role);
      TensorRef b = r.weight(component, j, role);
      if (a == null || b == null) {
        continue;
      }
      boolean down = role == Role.MLP_DOWN;
      Matrix ma = unitsByResidual(s, a, down, Math.min(maxUnits, SCREEN_UNITS));
      Matrix mb = unitsByResidual(r, b, down, Math.min(maxUnits, SCREEN_UNITS));
      out.add(primary(pearsonSameRows(p + name(role) + ".pearson", ma, mb)));
      if (canAlign(ma, mb)) {
        out.add(primary(pearsonSameRows(p + name(role) + ".pearson_aligned", ma, alignCols(mb))));
      }
    }
    return out;
  }

  /** Full battery of block pair (i, j). */
  List<TaggedTest> full(int i, int j) throws IOException, ModelFormatException {
    List<TaggedTest> out = new ArrayList<>();
    String p = prefix(i, j);
    // Attention: fixed-index correlations, aligned Gram CKA (AWM), gain-folded invariant (HuRef).
    for (Role role : ATTN_ROLES) {
      TensorRef a = s.weight(component, i, role);
      TensorRef b = r.weight(component, j, role);
      boolean o = role == Role.ATTN_O;
      if (a == null || b == null || (o && sampleRows != null)) {
        continue;
      }
      Matrix ma = unitsByResidual(s, a, o, true);
      Matrix mb = unitsByResidual(r, b, o, true);
      out.add(primary(pearsonSameRows(p + name(role) + ".pearson", ma, mb)));
      if (canAlign(ma, mb)) {
        Matrix mbAligned = alignCols(mb);
        // Units are head dimensions, exchangeable under H0 whatever the alignment: valid.
        out.add(primary(pearsonSameRows(p + name(role) + ".pearson_aligned", ma, mbAligned)));
        if (role == Role.ATTN_Q || role == Role.ATTN_K) {
          // AWM's Gram CKA takes residual dimensions as units; the alignment was fitted on token
          // embeddings, which independent models trained on the same data share up to a change of
          // basis, so its permutation null is optimistic. Reported as an effect size, not combined.
          out.add(new TaggedTest(component, cka(p + name(role) + ".cka_aligned", ma, mbAligned, i * 7919L + j + role.ordinal()), Kind.WEAK));
        }
      }
    }
    out.addAll(invariant(p, i, j));
    // MLP of the dense block (text or other stack).
    out.addAll(mlp(p, component, i, null, component, j, null, component));
    // Experts (MoE) against the partner's experts or dense MLP (upcycling).
    List<Integer> es = s.experts(i);
    if (!es.isEmpty()) {
      List<Integer> er = r.experts(j);
      for (int k = 0; k < Math.min(MAX_EXPERTS, es.size()); k++) {
        int e = es.get(k);
        String ep = p + "expert" + e + ".";
        if (!er.isEmpty()) {
          int partner = er.contains(e) ? e : er.get(k % er.size());
          out.addAll(mlp(ep, Component.EXPERTS.name(), i, e, Component.EXPERTS.name(), j, partner, Component.EXPERTS.name()));
        } else {
          out.addAll(mlp(ep, Component.EXPERTS.name(), i, e, component, j, null, Component.EXPERTS.name()));
        }
      }
    }
    // Norm gains and biases: centred statistics only, weak evidence.
    for (Role role : Role.values()) {
      for (Part part : new Part[] {Part.WEIGHT, Part.BIAS}) {
        if (part == Part.WEIGHT && !role.isNorm()) {
          continue;
        }
        TensorRef a = s.get(component, i, role, null, part);
        TensorRef b = r.get(component, j, role, null, part);
        if (a == null || b == null || a.shape().rank() != 1 || b.shape().rank() != 1) {
          continue;
        }
        float[] va = s.vector(a);
        float[] vb = r.vector(b);
        String id = p + (part == Part.BIAS ? "bias." : "norm.") + name(role) + ".centred";
        if (va.length != vb.length) {
          out.add(new TaggedTest(component, TestResult.notApplicable(id, "lengths differ: " + va.length + " vs " + vb.length), Kind.WEAK));
          continue;
        }
        TestResult t = CentredVectorTest.test(id, va, vb);
        double raw = CentredVectorTest.rawCosine(va, vb);
        out.add(new TaggedTest(component, new TestResult(t.testId(), t.statistic(), t.log10p(), t.effectSize(), t.n(),
            t.note() + String.format(Locale.ROOT, "; raw cosine %.4f (never evidence)", raw)), Kind.WEAK));
      }
    }
    return out;
  }

  private List<TaggedTest> mlp(String p, String compS, int i, Integer eS, String compR, int j, Integer eR, String target) throws IOException, ModelFormatException {
    List<TaggedTest> out = new ArrayList<>();
    List<int[]> assignments = new ArrayList<>();
    List<String> assignmentRoles = new ArrayList<>();
    for (Role role : MLP_ROLES) {
      TensorRef a = s.get(compS, i, role, eS, Part.WEIGHT);
      TensorRef b = r.get(compR, j, role, eR, Part.WEIGHT);
      boolean down = role == Role.MLP_DOWN;
      if (a == null || b == null || (down && sampleRows != null)) {
        continue;
      }
      Matrix ma = unitsByResidual(s, a, down, sampleRows != null);
      Matrix mb = unitsByResidual(r, b, down, sampleRows != null);
      String base = p + name(role);
      int[] used = null;
      if (ma.cols() == mb.cols()) {
        HiddenUnitMatchTest.Match m = match(base + ".match", ma, mb);
        out.add(new TaggedTest(target, m.result(), Kind.EXACT));
        used = ma.rows() == mb.rows() ? m.assignment() : null;
      } else {
        out.add(new TaggedTest(target, TestResult.notApplicable(base + ".match", "residual widths differ: " + ma.cols() + " vs " + mb.cols()), Kind.EXACT));
      }
      if (canAlign(ma, mb)) {
        HiddenUnitMatchTest.Match m = match(base + ".match_aligned", ma, alignCols(mb));
        out.add(new TaggedTest(target, m.result(), Kind.EXACT));
        used = ma.rows() == mb.rows() ? m.assignment() : null;
      }
      if (used != null && used.length > 0 && java.util.Arrays.stream(used).allMatch(x -> x >= 0)) {
        assignments.add(used);
        assignmentRoles.add(name(role).substring(4));
      }
    }
    for (int k = 1; k < assignments.size(); k++) {
      int[] x = assignments.get(0);
      int[] y = assignments.get(k);
      String id = p + "mlp." + assignmentRoles.get(0) + "_" + assignmentRoles.get(k) + ".agreement";
      if (x.length != y.length) {
        out.add(new TaggedTest(target, TestResult.notApplicable(id, "matchings of different sizes"), Kind.PRIMARY));
      } else {
        out.add(new TaggedTest(target, HiddenUnitMatchTest.agreement(x, y, id), Kind.PRIMARY));
      }
    }
    return out;
  }

  private List<TaggedTest> invariant(String p, int i, int j) throws IOException, ModelFormatException {
    if (anchorsS == null || anchorsR == null || sampleRows != null) {
      return List.of(); // needs whole query/key matrices; weak evidence, left out under --sample
    }
    TensorRef qa = s.weight(component, i, Role.ATTN_Q);
    TensorRef ka = s.weight(component, i, Role.ATTN_K);
    TensorRef qb = r.weight(component, j, Role.ATTN_Q);
    TensorRef kb = r.weight(component, j, Role.ATTN_K);
    if (qa == null || ka == null || qb == null || kb == null) {
      return List.of();
    }
    String id = p + "attn.qk.invariant";
    Matrix invA = attnInvariant(anchorsS, s, i, qa, ka);
    Matrix invB = attnInvariant(anchorsR, r, j, qb, kb);
    if (invA == null || invB == null) {
      return List.of(new TaggedTest(component, TestResult.notApplicable(id, "query/key shapes not understood"), Kind.WEAK));
    }
    // Its Mantel null is "no association between anchors", not independent initialisation: models
    // trained on the same tokens converge to similar token geometry. Reported, never combined.
    TestResult t = InvariantTest.test(id, invA, invB);
    return List.of(new TaggedTest(component, t, Kind.WEAK));
  }

  private Matrix attnInvariant(Matrix anchors, ModelIndex m, int layer, TensorRef q, TensorRef k) throws IOException, ModelFormatException {
    Matrix wq = m.rows(q, null);
    Matrix wk = m.rows(k, null);
    if (wq.cols() != anchors.cols() || wk.cols() != anchors.cols()) {
      return null;
    }
    TensorRef g = m.weight(component, layer, Role.ATTN_NORM);
    float[] gamma = g != null && g.elementCount() == anchors.cols() ? m.vector(g) : null;
    if (gamma == null) {
      gamma = new float[anchors.cols()];
      java.util.Arrays.fill(gamma, 1f);
    }
    if (wq.rows() == wk.rows()) {
      return InvariantTest.attentionInvariant(anchors, gamma, wq, wk);
    }
    Integer hd = m.view.hints().effectiveHeadDim();
    if (hd == null || wq.rows() % hd != 0 || wk.rows() % hd != 0) {
      return null;
    }
    return InvariantTest.attentionInvariant(anchors, gamma, wq, wk, hd);
  }

  // ------------------------------------------------------------------ helpers

  static String prefix(int i, int j) {
    return "block" + i + "~" + j + ".";
  }

  static String name(Role role) {
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

  private TaggedTest primary(TestResult t) {
    return new TaggedTest(component, t, Kind.PRIMARY);
  }

  /**
   * The tensor as [units × residual]: input-side tensors as stored, output-side tensors (down,
   * o_proj) transposed. When {@code sampled}, keeps at most {@code maxUnits} units, seeded by the
   * unit count so that both sides of a same-shape pair keep the same unit indices.
   */
  private Matrix unitsByResidual(ModelIndex m, TensorRef t, boolean outputSide, boolean sampled) throws IOException, ModelFormatException {
    return unitsByResidual(m, t, outputSide, sampled ? maxUnits : Integer.MAX_VALUE);
  }

  /** As above, keeping at most {@code units} units (seeded by the unit count). */
  private Matrix unitsByResidual(ModelIndex m, TensorRef t, boolean outputSide, int units) throws IOException, ModelFormatException {
    int[] rc = ModelIndex.matrixShape(t);
    boolean sampled = units < Integer.MAX_VALUE;
    if (!outputSide) {
      return m.rows(t, sampled ? ModelIndex.sample(rc[0], units, seed + 31L * rc[0]) : null);
    }
    if (sampleRows != null) {
      throw new IllegalStateException("output-side tensor " + t.name() + " would be read whole under --sample");
    }
    // Units are the columns: the transpose has rc[1] rows.
    return m.unitsOfColumns(t, sampled ? ModelIndex.sample(rc[1], units, seed + 31L * rc[1]) : null);
  }

  /**
   * True when the residual alignment applies to this pair: the suspect matrix's columns are the
   * suspect's residual basis and the reference matrix's columns the reference's, as fitted. Any
   * other widths (a tensor whose columns are not residual coordinates, models of other widths)
   * leave the aligned tests out rather than failing.
   */
  private boolean canAlign(Matrix suspectUnits, Matrix referenceUnits) {
    return align != null && suspectUnits.cols() == align.index().length && referenceUnits.cols() == alignFrom;
  }

  private Matrix alignCols(Matrix m) {
    return align.applyToColumns(m);
  }

  private static TestResult pearsonSameRows(String id, Matrix a, Matrix b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
      return TestResult.notApplicable(id, "shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols());
    }
    if (a.cols() < LineageComparator.MIN_FEATURES) {
      return TestResult.notApplicable(id, "too few features per unit: " + a.cols());
    }
    return AlignedCorrelationTest.test(id, a, b);
  }

  private TestResult cka(String id, Matrix a, Matrix b, long salt) {
    if (a.cols() != b.cols()) {
      return TestResult.notApplicable(id, "residual widths differ");
    }
    // Cka wants the residual dimensions as rows: Wqᵀ (d × units), Grams over residual dimensions.
    return Cka.test(id, a.transpose(), b.transpose(), seed ^ salt, CKA_PERMUTATIONS);
  }

  /**
   * Hidden-unit matching of [units × residual] matrices with equal residual widths: Zhu's φ_U
   * (sampled above {@code maxUnits}) when the unit counts agree, otherwise the rectangular variant
   * that matches the narrower layer's units into the wider one's (width pruning).
   */
  private HiddenUnitMatchTest.Match match(String id, Matrix a, Matrix b) {
    if (a.cols() != b.cols()) {
      return new HiddenUnitMatchTest.Match(new int[0], TestResult.notApplicable(id, "shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols()));
    }
    if (a.cols() < LineageComparator.MIN_FEATURES) {
      // With one or two features the cosines tie and the LAP's tie order favours the identity.
      return new HiddenUnitMatchTest.Match(new int[0], TestResult.notApplicable(id, "too few features per unit: " + a.cols()));
    }
    HiddenUnitMatchTest.Match m;
    if (a.rows() == b.rows()) {
      m = a.rows() > maxUnits ? HiddenUnitMatchTest.matchSampled(a, b, maxUnits, seed) : HiddenUnitMatchTest.match(a, b);
    } else {
      m = HiddenUnitMatchTest.matchRectangular(a, b, maxUnits, seed);
    }
    TestResult t = m.result();
    String note = a.rows() == b.rows() ? t.note() : "widths " + a.rows() + " vs " + b.rows() + " (pruned?): " + t.note();
    return new HiddenUnitMatchTest.Match(m.assignment(), new TestResult(id, t.statistic(), t.log10p(), t.effectSize(), t.n(), note));
  }
}
