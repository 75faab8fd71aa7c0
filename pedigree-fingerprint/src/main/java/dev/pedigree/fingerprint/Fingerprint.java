package dev.pedigree.fingerprint;

import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.forensics.ParameterCounts;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.RowSliceTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.TensorScan;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The compact, portable stand-in of a model against which the lineage engine can still be run:
 * Pedigree's model fingerprint, the one the registry stores and {@code pedigree fingerprint}
 * writes.
 *
 * <p>Attestation ledgers do not use it (yet): beside each entry they keep an older, different
 * record of the checkpoint ({@code dev.pedigree.attest.CheckpointSample}, sidecar format
 * {@code PDFP}, sampled by another seeded rule and carrying other moments). Moving ledgers onto this
 * fingerprint changes a file format and is a step of its own.
 *
 * <h2>What it keeps</h2>
 *
 * <ul>
 *   <li>For every logical parameter tensor ({@link TensorNaming#logicalTensors}), the values at a
 *       seeded set of indices of each dimension ({@link DimensionSample}: the same indices for
 *       every model with a dimension of that size, {@code units} of them): rows × columns of
 *       matrices, elements of vectors (norm gains, biases). Because the choice depends only on the
 *       size, the hidden units kept in {@code up}'s rows are the ones kept in {@code down}'s
 *       columns, and the residual coordinates kept in every matrix are the same: the fingerprint
 *       is the model restricted to a coordinate subset, consistent across its tensors.
 *   <li>Residual-basis anchors: token embedding and head rows of {@code anchorTokens} regular
 *       tokens chosen by the smallest hash of their normalised bytes ({@link AnchorTokens}), keyed
 *       by those bytes so a suspect's rows are found by token, whatever its ids.
 *   <li>The tokenizer: every regular token's normalised bytes in creation order (deflated), its
 *       type and size, enough for {@link dev.pedigree.forensics.TokenizerLineageAnalyzer}.
 *   <li>Content hashes of every tensor, raw and canonical, and statistics of all its values
 *       (mean, standard deviation, RMS, range): an unchanged reused tensor is recognised exactly.
 * </ul>
 *
 * <h2>How it is compared</h2>
 *
 * {@link #toModelView()} gives a {@link ModelView} holding the samples (same names and addresses,
 * restricted shapes, the anchor tokens as vocabulary), and {@link #restrict(ModelView)} gives the
 * suspect restricted to the same indices (lazily). {@link FingerprintComparator} runs the
 * unchanged {@link dev.pedigree.forensics.LineageComparator} on the pair, so every test that works
 * on rows and columns applies. What is weaker, see {@link FingerprintComparator}.
 *
 * <p>Instances are immutable and thread-safe. Files: {@link FingerprintCodec}.
 */
public final class Fingerprint {
    /** Version of the file layout {@link FingerprintCodec} writes for a fingerprint without row norms. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Version of the file layout {@link FingerprintCodec} writes when some sample keeps whole-row
     * norms ({@link Sample#rowNorms()}); both versions are read.
     */
    public static final int FORMAT_VERSION_ROW_NORMS = 2;

    private final String source;
    private final String format;
    private final String architecture;
    private final ArchitectureHints hints;
    private final long parameters;
    private final long modelBytes;
    private final int units;
    private final long seed;
    private final TokenizerType tokenizerType;
    private final int vocabularySize;
    private final List<String> regularKeys;
    private final int[] anchors;
    private final List<FingerprintTensor> tensors;
    private final List<String> warnings;

    /**
     * Assembles a fingerprint from its parts (used by the codec and by tests).
     *
     * @param format the source format's JSON name ({@link ModelFormat#jsonName()})
     * @param tokenizerType null when the model has no tokenizer (then {@code regularKeys} and
     *     {@code anchors} must be empty)
     * @param regularKeys normalised bytes (as ISO-8859-1 strings) of the regular tokens in creation
     *     order, without duplicates
     * @param anchors indices into {@code regularKeys} of the anchor tokens, in anchor order
     * @throws IllegalArgumentException if the parts contradict each other
     */
    public Fingerprint(
            String source,
            String format,
            String architecture,
            ArchitectureHints hints,
            long parameters,
            long modelBytes,
            int units,
            long seed,
            TokenizerType tokenizerType,
            int vocabularySize,
            List<String> regularKeys,
            int[] anchors,
            List<FingerprintTensor> tensors,
            List<String> warnings) {
        this.source = Objects.requireNonNull(source, "source");
        this.format = Objects.requireNonNull(format, "format");
        this.architecture = architecture;
        this.hints = Objects.requireNonNull(hints, "hints");
        if (parameters < 0 || modelBytes < 0 || units < 1 || vocabularySize < 0) {
            throw new IllegalArgumentException("negative count or no units");
        }
        this.parameters = parameters;
        this.modelBytes = modelBytes;
        this.units = units;
        this.seed = seed;
        this.tokenizerType = tokenizerType;
        this.vocabularySize = vocabularySize;
        this.regularKeys = List.copyOf(regularKeys);
        this.anchors = anchors.clone();
        if (tokenizerType == null && (!regularKeys.isEmpty() || anchors.length > 0)) {
            throw new IllegalArgumentException("tokens without a tokenizer type");
        }
        for (int a : this.anchors) {
            if (a < 0 || a >= this.regularKeys.size()) {
                throw new IllegalArgumentException("anchor index " + a + " out of range");
            }
        }
        if (new LinkedHashSet<>(this.regularKeys).size() != this.regularKeys.size()) {
            throw new IllegalArgumentException("duplicate regular token keys");
        }
        this.tensors = List.copyOf(tensors);
        this.warnings = List.copyOf(warnings);
        for (FingerprintTensor t : this.tensors) {
            Sample s = t.sample();
            if (s != null && s.rowSource() == RowSource.ANCHORS && s.rowsNoCopy().length != this.anchors.length) {
                throw new IllegalArgumentException(t.name() + ": anchor rows " + s.rowsNoCopy().length + " but "
                        + this.anchors.length + " anchors");
            }
        }
    }

    // ------------------------------------------------------------------ creation

    /** Fingerprints a model with {@link FingerprintOptions#DEFAULT}. */
    public static Fingerprint of(ModelView model) throws IOException, ModelFormatException {
        return of(model, FingerprintOptions.DEFAULT);
    }

    /**
     * Fingerprints a model: reads every tensor once (hashes and statistics, unless disabled) and the
     * sampled rows. Memory: one chunk of rows and the samples.
     *
     * @throws IOException if reading fails
     * @throws ModelFormatException if a tensor's bytes are corrupt
     */
    public static Fingerprint of(ModelView model, FingerprintOptions options) throws IOException, ModelFormatException {
        List<TensorRef> logical = TensorNaming.logicalTensors(model.tensors(), model.hints());
        long modelBytes = 0;
        for (TensorRef t : model.tensors()) {
            modelBytes += storedSize(t);
        }
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
        // Anchors (AnchorTokens): among the tokens every token-indexed tensor has a row for.
        long tokenRows = Long.MAX_VALUE;
        for (TensorRef t : logical) {
            if (tokenIndexed(t.address(), t.shape())) {
                tokenRows = Math.min(tokenRows, t.shape().dim(0));
            }
        }
        int[] anchorIdx = new int[0];
        int[] anchorIds = new int[0];
        if (vocab != null) {
            List<Integer> cand = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                Integer id = firstId.get(keys.get(i));
                if (id != null && id < tokenRows) {
                    cand.add(i);
                }
            }
            anchorIdx = AnchorTokens.bottomK(keys, cand, options.anchorTokens());
            anchorIds = new int[anchorIdx.length];
            for (int i = 0; i < anchorIdx.length; i++) {
                anchorIds[i] = firstId.get(keys.get(anchorIdx[i]));
            }
        }
        boolean tokenRowsByAnchor = vocab != null && anchorIds.length > 0;
        int units = options.units() != 0
                ? options.units()
                : autoUnits(logical, modelBytes, anchorIds.length, keys.size(), options.seed());
        List<FingerprintTensor> out = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<TensorRef, String> rawCache = new IdentityHashMap<>();
        for (TensorRef t : logical) {
            String raw = null;
            String canonical = null;
            TensorStats stats = null;
            if (options.hashTensors()) {
                TensorRef physical = t instanceof RowSliceTensor r ? r.parent() : t;
                raw = rawCache.get(physical);
                if (raw == null) {
                    raw = dev.pedigree.model.TensorHashes.storedSha256(physical);
                    rawCache.put(physical, raw);
                }
                try {
                    ScanResult sr = scan(t);
                    canonical = sr.sha256();
                    stats = sr.stats();
                } catch (UnsupportedModelException e) {
                    warnings.add(t.name() + ": not decoded (" + e.detail() + "); hashed raw only");
                }
            }
            Sample sample = null;
            if (t.address().part().isParameter()
                    && t.elementCount() > 0
                    && (canonical != null || !options.hashTensors())) {
                boolean anchorsRows = tokenRowsByAnchor && tokenIndexed(t.address(), t.shape());
                int[] rows = anchorsRows ? anchorIds : rowIndices(t.shape(), units, options.seed());
                int[] cols = colIndices(t.shape(), units, options.seed());
                try {
                    RestrictedTensor rt = new RestrictedTensor(t, rows, cols);
                    float[] v = rt.readAll();
                    long[] rc = RestrictedTensor.matrixShape(t.shape());
                    sample = new Sample(
                            anchorsRows ? RowSource.ANCHORS : RowSource.DIMENSION,
                            rows == null ? identity((int) rc[0]) : rows,
                            cols == null ? identity((int) rc[1]) : cols,
                            v);
                } catch (UnsupportedModelException e) {
                    warnings.add(t.name() + ": not sampled (" + e.detail() + ")");
                }
            }
            out.add(new FingerprintTensor(
                    t.name(), t.address(), t.dtype().name(), t.shape(), raw, canonical, stats, sample));
        }
        String arch = model.architecture();
        Fingerprint fp = new Fingerprint(
                model.source(),
                model.format().jsonName(),
                arch,
                model.hints(),
                ParameterCounts.total(model),
                modelBytes,
                units,
                options.seed(),
                vocab == null ? null : vocab.type(),
                vocab == null ? 0 : vocab.size(),
                keys,
                anchorIdx,
                out,
                warnings);
        // Round-trip through the file encoding so that a fresh fingerprint holds exactly the values its file holds.
        return FingerprintCodec.decode(FingerprintCodec.encode(fp), model.source());
    }

    private static long storedSize(TensorRef t) throws IOException, ModelFormatException {
        if (t instanceof ArrayTensor) {
            return t.elementCount() * 4;
        }
        return t.storedBytes().byteSize();
    }

    /** Whether a tensor's rows are tokens (token embedding or output head). */
    static boolean tokenIndexed(TensorAddress a, Shape s) {
        return a.layer() == null
                && (a.role() == Role.EMBEDDING || a.role() == Role.LM_HEAD)
                && s.rank() == 2
                && a.part() == dev.pedigree.model.Part.WEIGHT;
    }

    static int[] rowIndices(Shape s, int units, long seed) {
        if (s.rank() <= 1) {
            return null;
        }
        return DimensionSample.indices(RestrictedTensor.matrixShape(s)[0], units, seed);
    }

    static int[] colIndices(Shape s, int units, long seed) {
        return DimensionSample.indices(RestrictedTensor.matrixShape(s)[1], units, seed);
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Largest automatic unit count whose estimated size fits the budget (at least {@link FingerprintOptions#MIN_UNITS}). */
    static int autoUnits(List<TensorRef> logical, long modelBytes, int anchors, int vocabKeys, long seed) {
        long budget = FingerprintOptions.budgetBytes(modelBytes);
        for (int k : FingerprintOptions.AUTO_UNITS) {
            if (estimateBytes(logical, k, anchors, vocabKeys) <= budget) {
                return k;
            }
        }
        return FingerprintOptions.MIN_UNITS;
    }

    /** Estimated file size of a fingerprint with {@code units} per dimension (used for the automatic choice). */
    public static long estimateBytes(List<TensorRef> logical, int units, int anchors, int vocabKeys) {
        long bytes = 1024 + 6L * vocabKeys;
        for (TensorRef t : logical) {
            bytes += 200;
            if (!t.address().part().isParameter() || t.elementCount() == 0) {
                continue;
            }
            long[] rc = RestrictedTensor.matrixShape(t.shape());
            long r = tokenIndexed(t.address(), t.shape()) && anchors > 0 ? anchors : Math.min(rc[0], units);
            long c = Math.min(rc[1], units);
            bytes += r * c * (t.shape().rank() <= 1 ? 4 : 2) + 2 * (r + c);
        }
        return bytes;
    }

    /** Canonical SHA-256 ({@link TensorScan.CanonicalSha256}) and statistics of one tensor. */
    record ScanResult(String sha256, TensorStats stats) {}

    /** The tensor's canonical hash and statistics from one {@link TensorScan} pass. */
    static ScanResult scan(TensorRef t) throws IOException, ModelFormatException {
        TensorScan.CanonicalSha256 hash = new TensorScan.CanonicalSha256();
        TensorStats.Accumulator stats = new TensorStats.Accumulator();
        TensorScan.scan(t, hash, stats);
        return new ScanResult(hash.hex(), stats.finish());
    }

    // ------------------------------------------------------------------ views

    /**
     * A model view of the samples: same tensor names and addresses, shapes {@code [rows kept,
     * columns kept]} (vectors {@code [kept]}), the anchor tokens as vocabulary (ids 0..T−1 in anchor
     * order). Its hints omit the head counts (sampled rows no longer form heads). Nothing to close.
     */
    public ModelView toModelView() {
        List<TensorRef> ts = new ArrayList<>();
        for (FingerprintTensor t : tensors) {
            Sample s = t.sample();
            if (s == null) {
                continue;
            }
            Shape shape = t.shape().rank() <= 1
                    ? Shape.of(s.colsNoCopy().length)
                    : Shape.of(s.rowsNoCopy().length, s.colsNoCopy().length);
            ts.add(new ArrayTensor(t.name(), shape, t.address(), s.valuesNoCopy()));
        }
        return BasicModelView.builder("fingerprint:" + source, formatEnum())
                .architecture(architecture)
                .hints(restrictedHints(hints))
                .tensors(ts)
                .vocabulary(anchorVocabulary())
                .build();
    }

    /**
     * The suspect restricted to this fingerprint's indices, lazily: for a tensor with the same
     * address and shape as one of the fingerprint's, the stored indices; otherwise the same
     * {@link DimensionSample} rule with this fingerprint's units and seed. Token embedding and head
     * rows are those of the anchor tokens found in the suspect's vocabulary (by normalised bytes);
     * the returned vocabulary holds those tokens, renumbered in anchor order. Only parameter tensors
     * are kept. The view reads through {@code suspect}: close the suspect, not the view.
     */
    public ModelView restrict(ModelView suspect) {
        List<TensorRef> logical = TensorNaming.logicalTensors(suspect.tensors(), suspect.hints());
        Map<TensorAddress, FingerprintTensor> mine = new HashMap<>();
        for (FingerprintTensor t : tensors) {
            mine.putIfAbsent(t.address(), t);
        }
        Vocabulary sv = suspect.vocabulary().orElse(null);
        Vocabulary restrictedVocab = null;
        int[] tokenRows = null;
        if (sv != null && tokenizerType != null && anchors.length > 0) {
            long limit = Long.MAX_VALUE;
            for (TensorRef t : logical) {
                if (tokenIndexed(t.address(), t.shape())) {
                    limit = Math.min(limit, t.shape().dim(0));
                }
            }
            Map<String, Integer> ids = new HashMap<>();
            for (Token t : sv.tokens()) {
                ids.putIfAbsent(t.key(), t.id());
            }
            List<Token> kept = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            for (int a : anchors) {
                String key = regularKeys.get(a);
                Integer id = ids.get(key);
                if (id != null && id < limit) {
                    byte[] b = key.getBytes(StandardCharsets.ISO_8859_1);
                    kept.add(new Token(
                            kept.size(), b, new String(b, StandardCharsets.UTF_8), TokenKind.NORMAL, Float.NaN));
                    rows.add(id);
                }
            }
            if (!kept.isEmpty()) {
                restrictedVocab = new Vocabulary(
                        sv.type(), kept, List.of(), sv.preTokenizer(), sv.source() + " (fingerprint anchors)", false);
                tokenRows = rows.stream().mapToInt(Integer::intValue).toArray();
            } else {
                tokenRows = new int[0];
            }
        }
        // Restricted shapes must be equal exactly when the full shapes are: a suspect axis whose size
        // differs from the reference's for the same role keeps a different number of indices.
        Map<RoleKey, FingerprintTensor> byRole = new HashMap<>();
        for (FingerprintTensor t : tensors) {
            if (t.sample() != null) {
                byRole.putIfAbsent(RoleKey.of(t.address()), t);
            }
        }
        List<TensorRef> out = new ArrayList<>();
        for (TensorRef t : logical) {
            if (!t.address().part().isParameter() || t.elementCount() == 0) {
                continue;
            }
            FingerprintTensor f = mine.get(t.address());
            Sample fs = f == null ? null : f.sample();
            boolean sameShape = fs != null && f.shape().equals(t.shape());
            FingerprintTensor peer = sameShape ? f : byRole.get(RoleKey.of(t.address()));
            long[] rc = RestrictedTensor.matrixShape(t.shape());
            long[] peerRc = peer == null ? null : RestrictedTensor.matrixShape(peer.shape());
            boolean tokenAxis = tokenIndexed(t.address(), t.shape());
            int[] rows;
            if (tokenRows != null && tokenRows.length == 0 && tokenAxis) {
                continue; // no anchor token in the suspect's vocabulary: its token rows cannot be paired
            } else if (tokenRows != null && tokenAxis) {
                rows = tokenRows;
            } else if (sameShape && fs.rowSource() == RowSource.DIMENSION) {
                rows = t.shape().rank() <= 1 ? null : fs.rowsNoCopy();
            } else if (t.shape().rank() <= 1) {
                rows = null;
            } else if (peer != null
                    && peer.shape().rank() >= 2
                    && peerRc[0] != rc[0]
                    && !(tokenAxis && peer.sample().rowSource() == RowSource.ANCHORS)) {
                rows = DimensionSample.indices(
                        rc[0], distinctSize(rc[0], peer.sample().rowsNoCopy().length), seed);
            } else {
                rows = rowIndices(t.shape(), units, seed);
            }
            int[] cols;
            if (sameShape) {
                cols = fs.colsNoCopy();
            } else if (peer != null && peerRc[1] != rc[1]) {
                cols = DimensionSample.indices(
                        rc[1], distinctSize(rc[1], peer.sample().colsNoCopy().length), seed);
            } else {
                cols = colIndices(t.shape(), units, seed);
            }
            out.add(new RestrictedTensor(t, rows, cols));
        }
        return BasicModelView.builder("restricted:" + suspect.source(), suspect.format())
                .architecture(suspect.architecture())
                .hints(restrictedHints(suspect.hints()))
                .tensors(out)
                .vocabulary(restrictedVocab)
                .build();
    }

    /** Tensors of one role (any layer or expert) of one component share their shape in practice. */
    private record RoleKey(String component, Role role, dev.pedigree.model.Part part) {
        static RoleKey of(TensorAddress a) {
            return new RoleKey(a.component().name(), a.role(), a.part());
        }
    }

    /** Indices to keep of an axis of size {@code n} whose reference partner has another size and keeps {@code avoid}. */
    private int distinctSize(long n, int avoid) {
        int k = (int) Math.min(n, units);
        return k == avoid && k > 1 ? k - 1 : Math.max(1, k);
    }

    private static ArchitectureHints restrictedHints(ArchitectureHints h) {
        return new ArchitectureHints(
                h.architecture(),
                h.hiddenSize(),
                null,
                null,
                null,
                h.intermediateSize(),
                h.numLayers(),
                h.tiedEmbeddings());
    }

    /** The anchor tokens as a vocabulary (ids 0..T−1 in anchor order); null without a tokenizer. */
    public Vocabulary anchorVocabulary() {
        if (tokenizerType == null) {
            return null;
        }
        List<Token> ts = new ArrayList<>(anchors.length);
        for (int i = 0; i < anchors.length; i++) {
            byte[] b = regularKeys.get(anchors[i]).getBytes(StandardCharsets.ISO_8859_1);
            ts.add(new Token(i, b, new String(b, StandardCharsets.UTF_8), TokenKind.NORMAL, Float.NaN));
        }
        return new Vocabulary(tokenizerType, ts, List.of(), null, "fingerprint:" + source + " (anchors)", false);
    }

    /**
     * The regular tokens in creation order as a vocabulary (ids 0..n−1), enough for
     * {@link dev.pedigree.forensics.TokenizerLineageAnalyzer}; null without a tokenizer.
     */
    public Vocabulary regularVocabulary() {
        if (tokenizerType == null) {
            return null;
        }
        List<Token> ts = new ArrayList<>(regularKeys.size());
        for (int i = 0; i < regularKeys.size(); i++) {
            byte[] b = regularKeys.get(i).getBytes(StandardCharsets.ISO_8859_1);
            ts.add(new Token(i, b, new String(b, StandardCharsets.UTF_8), TokenKind.NORMAL, Float.NaN));
        }
        return new Vocabulary(tokenizerType, ts, List.of(), null, "fingerprint:" + source, false);
    }

    ModelFormat formatEnum() {
        for (ModelFormat f : ModelFormat.values()) {
            if (f.jsonName().equals(format)) {
                return f;
            }
        }
        return ModelFormat.SAFETENSORS;
    }

    // ------------------------------------------------------------------ files

    /** Writes the fingerprint file (see {@link FingerprintCodec}); same fingerprint, same bytes. */
    public void write(Path file) throws IOException {
        FingerprintCodec.write(this, file);
    }

    /** The file's bytes. */
    public byte[] toBytes() {
        return FingerprintCodec.encode(this);
    }

    /** Reads a fingerprint file, checking its integrity hash and every count against the bytes present. */
    public static Fingerprint read(Path file) throws IOException, ModelFormatException {
        return FingerprintCodec.read(file);
    }

    /** Hex SHA-256 of the file's bytes (the registry's and the packs' identity of a fingerprint). */
    public String sha256() {
        return FingerprintCodec.sha256Hex(toBytes());
    }

    // ------------------------------------------------------------------ accessors

    public String source() {
        return source;
    }

    /** The model's format ({@link ModelFormat#jsonName()}). */
    public String format() {
        return format;
    }

    /** Architecture name, null if unknown. */
    public String architecture() {
        return architecture;
    }

    public ArchitectureHints hints() {
        return hints;
    }

    /** Logical parameters of the model ({@link ParameterCounts#total}). */
    public long parameters() {
        return parameters;
    }

    /** Stored bytes of the model's tensors. */
    public long modelBytes() {
        return modelBytes;
    }

    /** Indices kept per dimension. */
    public int units() {
        return units;
    }

    public long seed() {
        return seed;
    }

    /** The tokenizer's type, null when the model has none. */
    public TokenizerType tokenizerType() {
        return tokenizerType;
    }

    /** Number of vocabulary entries (special tokens included). */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** Normalised bytes (ISO-8859-1 strings) of the regular tokens, creation order. */
    public List<String> regularKeys() {
        return regularKeys;
    }

    /** Indices into {@link #regularKeys()} of the anchor tokens. */
    public int[] anchors() {
        return anchors.clone();
    }

    int[] anchorsNoCopy() {
        return anchors;
    }

    public List<FingerprintTensor> tensors() {
        return tensors;
    }

    /** The same fingerprint with other tensors (every other part unchanged). */
    public Fingerprint withTensors(List<FingerprintTensor> replacement) {
        return new Fingerprint(
                source,
                format,
                architecture,
                hints,
                parameters,
                modelBytes,
                units,
                seed,
                tokenizerType,
                vocabularySize,
                regularKeys,
                anchors,
                replacement,
                warnings);
    }

    /** Non-fatal observations made while fingerprinting. */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The residual width: the most common column count of block weight matrices (else the
     * embedding width, else the hints' hidden size); 0 when unknown.
     */
    public int residualWidth() {
        Map<Long, Integer> counts = new HashMap<>();
        for (FingerprintTensor t : tensors) {
            TensorAddress a = t.address();
            if (a.layer() != null
                    && a.part() == dev.pedigree.model.Part.WEIGHT
                    && t.shape().rank() == 2) {
                counts.merge(t.shape().columns(), 1, Integer::sum);
            }
        }
        long best = 0;
        int bestCount = 0;
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        if (best > 0) {
            return (int) Math.min(Integer.MAX_VALUE, best);
        }
        for (FingerprintTensor t : tensors) {
            if (t.address().role() == Role.EMBEDDING && t.shape().rank() == 2) {
                return (int) Math.min(Integer.MAX_VALUE, t.shape().columns());
            }
        }
        return hints.hiddenSize() == null ? 0 : hints.hiddenSize();
    }

    /** Number of distinct block layers. */
    public int layerCount() {
        return (int) tensors.stream()
                .map(t -> t.address().layer())
                .filter(Objects::nonNull)
                .distinct()
                .count();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && Arrays.equals(toBytes(), f.toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return "Fingerprint[" + source + ", " + tensors.size() + " tensors, " + units + " units, " + anchors.length
                + " anchors]";
    }
}
