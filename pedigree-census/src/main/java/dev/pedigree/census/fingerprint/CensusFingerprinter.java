package dev.pedigree.census.fingerprint;

import dev.pedigree.census.fingerprint.CensusFingerprint.SketchChannel;
import dev.pedigree.census.fingerprint.CensusFingerprint.TensorDigest;
import dev.pedigree.fingerprint.AnchorTokens;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintCodec;
import dev.pedigree.fingerprint.FingerprintTensor;
import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.fingerprint.RestrictedTensor;
import dev.pedigree.forensics.ParameterCounts;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.model.naming.TensorNaming;
import dev.pedigree.registry.TokenSketch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Makes a {@link CensusFingerprint} of a model with a {@link CensusProfile}: the registry
 * fingerprint's layout (sampled rows × columns of every parameter tensor, anchor tokens chosen by
 * the bottom-k hash of their bytes, the regular vocabulary), with block-sampled indices, no
 * full-tensor hashes, sample digests and sketch channels.
 *
 * <p>What it reads depends only on the model's shapes and vocabulary, never on its values, so a
 * dry run over a source that records reads ({@link dev.pedigree.census.fetch.SampledModelFetcher})
 * tells exactly which byte ranges a model needs before any is fetched. Stateless and thread-safe.
 */
public final class CensusFingerprinter {
    /** Anchor tokens in the embedding sketch channels. */
    static final int SKETCH_TOKENS = 32;
    /** Sampled columns per anchor token in the embedding sketch channels. */
    static final int SKETCH_COLUMNS = 16;
    /** Sampled rows and columns of the first block's query and up projections in the weights channel. */
    static final int SKETCH_BLOCK = 8;

    private static final Role[] SKETCH_ROLES = {Role.ATTN_Q, Role.MLP_UP};

    private CensusFingerprinter() {}

    /**
     * Fingerprints {@code model}.
     *
     * @param modelBytes the model's stored bytes (from the hub's file sizes; never read for it)
     * @throws IOException if reading fails
     * @throws ModelFormatException if a tensor's bytes are corrupt
     */
    public static CensusFingerprint fingerprint(ModelView model, long modelBytes, CensusProfile profile)
            throws IOException, ModelFormatException {
        List<TensorRef> logical = TensorNaming.logicalTensors(model.tensors(), model.hints());
        Vocabulary vocab = model.vocabulary().orElse(null);
        List<String> keys = new ArrayList<>();
        Map<String, Integer> firstId = new HashMap<>();
        if (vocab != null) {
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            for (Token t : vocab.regularTokensInCreationOrder()) {
                if (seen.add(t.key())) {
                    keys.add(t.key());
                }
            }
            for (Token t : vocab.tokens()) {
                if (t.kind().regular()) {
                    firstId.putIfAbsent(t.key(), t.id());
                }
            }
        }
        long tokenRows = Long.MAX_VALUE;
        for (TensorRef t : logical) {
            if (tokenIndexed(t.address(), t.shape())) {
                tokenRows = Math.min(tokenRows, t.shape().dim(0));
            }
        }
        // Anchors: the registry's rule (bottom-k regular tokens by key hash that every token-indexed tensor has a row
        // for).
        List<Integer> cand = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Integer id = firstId.get(keys.get(i));
            if (id != null && id < tokenRows) {
                cand.add(i);
            }
        }
        int[] anchorIdx = AnchorTokens.bottomK(keys, cand, profile.anchorTokens());
        int na = anchorIdx.length;
        int[] anchorIds = new int[na];
        for (int i = 0; i < na; i++) {
            anchorIds[i] = firstId.get(keys.get(anchorIdx[i]));
        }

        List<FingerprintTensor> out = new ArrayList<>();
        List<TensorDigest> digests = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<Long, Float> embedding = new HashMap<>();
        Map<Long, Float> blocks = new HashMap<>();
        Map<Long, Float> norms = new HashMap<>();
        Map<LineageComponent, Integer> widths = new EnumMap<>(LineageComponent.class);
        Map<String, Integer> firstSketchLayer = new HashMap<>();
        Map<String, float[]> mlpGains = profile.unitNorms() ? mlpGains(logical, profile) : Map.of();
        for (TensorRef t : logical) {
            TensorAddress a = t.address();
            if (!a.part().isParameter() || t.elementCount() == 0 || !profile.samplesLayer(a.layer())) {
                continue;
            }
            LineageComponent lc = LineageComponent.of(a.component().kind());
            boolean anchorsRows = na > 0 && tokenIndexed(a, t.shape());
            long[] rc = RestrictedTensor.matrixShape(t.shape());
            int[] rows = anchorsRows ? anchorIds : (t.shape().rank() <= 1 ? null : profile.indices(rc[0]));
            int[] cols = profile.indices(rc[1]);
            float[] v;
            try {
                v = new RestrictedTensor(t, rows, cols).readAll();
            } catch (UnsupportedModelException e) {
                warnings.add(t.name() + ": not sampled (" + e.detail() + ")");
                continue;
            }
            int[] r = rows == null ? identity((int) rc[0]) : rows;
            int[] c = cols == null ? identity((int) rc[1]) : cols;
            out.add(new FingerprintTensor(
                    t.name(),
                    a,
                    t.dtype().name(),
                    t.shape(),
                    null,
                    null,
                    null,
                    new Sample(
                            anchorsRows ? RowSource.ANCHORS : RowSource.DIMENSION,
                            r,
                            c,
                            v,
                            profile.unitNorms() && !anchorsRows ? unitNorms(t, r, mlpGains) : null)));
            digests.add(digest(lc, a, t.shape(), v));
            if (lc != null && (a.role() == Role.ATTN_Q || a.role() == Role.MLP_UP) && a.part() == Part.WEIGHT) {
                widths.putIfAbsent(lc, (int) rc[1]);
            }
            if (anchorsRows && a.role() == Role.EMBEDDING) {
                float[] full = new float[(int) rc[1]];
                for (int i = 0; i < Math.min(SKETCH_TOKENS * 2, na); i++) {
                    long kh = AnchorTokens.keyHash(keys.get(anchorIdx[i]));
                    t.readRows(anchorIds[i], 1, full, 0);
                    double s = 0;
                    for (float x : full) {
                        s += (double) x * x;
                    }
                    norms.put(mix(kh, 0x4E4F524DL, 0, 0), (float) Math.sqrt(s));
                    if (i < SKETCH_TOKENS) {
                        for (int j = 0; j < Math.min(SKETCH_COLUMNS, c.length); j++) {
                            embedding.put(mix(kh, 0x454D42L, c[j], rc[1]), v[i * c.length + j]);
                        }
                    }
                }
            }
            if (a.layer() != null
                    && a.expert() == null
                    && a.part() == Part.WEIGHT
                    && t.shape().rank() == 2) {
                for (Role role : SKETCH_ROLES) {
                    if (a.role() != role) {
                        continue;
                    }
                    String slot = a.component().name() + "/" + role;
                    Integer first = firstSketchLayer.putIfAbsent(slot, a.layer());
                    if (first != null && first != a.layer().intValue()) {
                        continue;
                    }
                    long roleKey = mix(a.component().name().hashCode(), role.ordinal(), rc[0], rc[1]);
                    for (int i = 0; i < Math.min(SKETCH_BLOCK, r.length); i++) {
                        for (int j = 0; j < Math.min(SKETCH_BLOCK, c.length); j++) {
                            blocks.put(mix(roleKey, 0x424C4BL, r[i], c[j]), v[i * c.length + j]);
                        }
                    }
                }
            }
        }
        Fingerprint fp = new Fingerprint(
                model.source(),
                model.format().jsonName(),
                model.architecture(),
                model.hints(),
                ParameterCounts.total(model),
                modelBytes,
                profile.units(),
                profile.seed(),
                vocab == null ? null : vocab.type(),
                vocab == null ? 0 : vocab.size(),
                keys,
                anchorIdx,
                out,
                warnings);
        // Round-trip through the file encoding so that a fresh fingerprint holds exactly the values its file holds.
        fp = FingerprintCodec.decode(FingerprintCodec.encode(fp), model.source());
        Map<SketchChannel, ModelSketch> sketches = new EnumMap<>(SketchChannel.class);
        Map<Long, Float> weights = new HashMap<>(blocks);
        weights.putAll(embedding);
        sketches.put(SketchChannel.WEIGHTS, ModelSketch.of(weights));
        if (!embedding.isEmpty()) {
            sketches.put(SketchChannel.EMBEDDING, ModelSketch.of(embedding));
            sketches.put(SketchChannel.ROW_NORMS, ModelSketch.of(norms));
        }
        return new CensusFingerprint(
                fp,
                digests,
                sketches,
                widths,
                vocab == null ? null : tokenizerId(keys),
                vocab == null ? null : TokenSketch.minHash(keys));
    }

    /**
     * The gains of the norms that feed each sampled block's MLP ({@link Role#MLP_NORM}), whole, by
     * {@link #gainKey}. Norm vectors are read whole for their sample anyway: no extra bytes.
     */
    private static Map<String, float[]> mlpGains(List<TensorRef> logical, CensusProfile profile)
            throws IOException, ModelFormatException {
        Map<String, float[]> out = new HashMap<>();
        for (TensorRef t : logical) {
            TensorAddress a = t.address();
            if (a.role() == Role.MLP_NORM
                    && a.part() == Part.WEIGHT
                    && a.layer() != null
                    && t.shape().rank() == 1
                    && profile.samplesLayer(a.layer())) {
                try {
                    out.putIfAbsent(gainKey(a), new RestrictedTensor(t, null, null).readAll());
                } catch (UnsupportedModelException e) {
                    // Not decodable: that block's rows keep no norms (see unitNorms).
                    out.putIfAbsent(gainKey(a), new float[0]);
                }
            }
        }
        return out;
    }

    private static String gainKey(TensorAddress a) {
        return a.component().name() + "/" + a.layer();
    }

    /**
     * For a hidden-unit-indexed matrix (MLP gate or up of a block), the whole-row L2 norm of each
     * kept row with the MLP norm's gain folded in ({@code ‖row ⊙ γ‖}; γ = 1 when the block has no
     * such norm); null for every other tensor, or when the gain cannot be folded. The rows are read
     * whole for the sample anyway: no extra bytes. See {@link dev.pedigree.fingerprint.UnitNormTest}.
     */
    static float[] unitNorms(TensorRef t, int[] rows, Map<String, float[]> gains)
            throws IOException, ModelFormatException {
        TensorAddress a = t.address();
        if (a.layer() == null
                || a.part() != Part.WEIGHT
                || (a.role() != Role.MLP_GATE && a.role() != Role.MLP_UP)
                || t.shape().rank() != 2) {
            return null;
        }
        int cols = (int) t.shape().columns();
        float[] gain = gains.get(gainKey(a));
        if (gain != null && gain.length != cols) {
            return null;
        }
        float[] row = new float[cols];
        float[] out = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            t.readRows(rows[i], 1, row, 0);
            double s = 0;
            for (int j = 0; j < cols; j++) {
                double x = gain == null ? row[j] : (double) row[j] * gain[j];
                s += x * x;
            }
            out[i] = (float) Math.sqrt(s);
            if (!Float.isFinite(out[i])) {
                return null;
            }
        }
        return out;
    }

    /** SHA-256 of the regular tokens' normalised bytes in creation order (each followed by a 0 byte). */
    public static String tokenizerId(List<String> keys) {
        MessageDigest md = Sha256.digest();
        for (String k : keys) {
            md.update(k.getBytes(StandardCharsets.ISO_8859_1));
            md.update((byte) 0);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static TensorDigest digest(LineageComponent lc, TensorAddress a, Shape s, float[] v) {
        MessageDigest md = Sha256.digest();
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * s.rank() + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(s.rank());
        for (long d : s.dims()) {
            b.putLong(d);
        }
        boolean constant = true;
        for (float x : v) {
            int bits = Float.isNaN(x) ? 0x7FC00000 : (x == 0f ? 0 : Float.floatToRawIntBits(x));
            b.putInt(bits);
            constant &= Float.floatToRawIntBits(x) == Float.floatToRawIntBits(v[0]);
        }
        md.update(b.array());
        return new TensorDigest(lc, a.toString(), HexFormat.of().formatHex(md.digest()), v.length, constant);
    }

    /** Whether a tensor's rows are tokens (token embedding or output head), as in the registry fingerprint. */
    static boolean tokenIndexed(TensorAddress a, Shape s) {
        return a.layer() == null
                && (a.role() == Role.EMBEDDING || a.role() == Role.LM_HEAD)
                && s.rank() == 2
                && a.part() == Part.WEIGHT;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    static long mix(long a, long b, long c, long d) {
        long h = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L + d * 0x27D4EB2F165667C5L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 32);
    }
}
