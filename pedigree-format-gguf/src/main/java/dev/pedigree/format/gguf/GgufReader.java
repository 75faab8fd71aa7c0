package dev.pedigree.format.gguf;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFolder;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads GGUF v2/v3 files (either byte order, single or split into {@code *-00001-of-0000N.gguf}
 * shards) into a {@link ModelView}: metadata (large arrays summarised), tensors with canonical
 * addresses and shapes, the vocabulary from {@code tokenizer.ggml.*} and lineage claims from
 * {@code general.base_model.N.*}. Vocab-only files (0 tensors) open as well; the caller decides
 * whether that is a model or a tokenizer.
 *
 * <p>Registered as a {@link ModelReader} service. Stateless and thread-safe; the returned view owns
 * the file mappings and must be closed.
 */
public final class GgufReader implements ModelReader {
    /** Arrays with more elements than this are summarised in {@link ModelView#metadata()}. */
    public static final int METADATA_ARRAY_LIMIT = 64;
    /** Architectures whose attn_q/attn_k rows llama.cpp permuted at conversion. */
    public static final Set<String> PERMUTED_ARCHITECTURES = Set.of("llama", "mistral");

    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");
    private static final Pattern Q_OR_K = Pattern.compile("blk\\.\\d+\\.attn_([qk])\\.weight");

    /** Public for {@link java.util.ServiceLoader}. */
    public GgufReader() {}

    @Override
    public String name() {
        return "gguf";
    }

    @Override
    public int probe(Path file, byte[] head) {
        if (GgufFile.hasMagic(head)) {
            return 100;
        }
        Path fn = file == null ? null : file.getFileName();
        return fn != null && fn.toString().toLowerCase(Locale.ROOT).endsWith(".gguf") ? 10 : 0;
    }

    /**
     * Opens {@code file}; if it is one shard of a split model (its name follows
     * {@code <prefix>-NNNNN-of-MMMMM.gguf} and it carries {@code split.count > 1}), every shard is
     * opened and the tensors are merged in shard order.
     */
    @Override
    public ModelView open(Path file) throws IOException, ModelFormatException {
        List<ByteSource> sources = new ArrayList<>();
        try {
            ByteSource first = ByteSource.map(file);
            sources.add(first);
            GgufFile head = GgufFile.parse(first);
            List<GgufFile> parts = new ArrayList<>(List.of(head));
            List<Path> paths = new ArrayList<>(List.of(file));
            List<String> warnings = new ArrayList<>();
            Long splitCount = head.integer("split.count");
            if (splitCount != null && splitCount > 1) {
                Path fn = file.getFileName();
                Matcher m = SPLIT_NAME.matcher(fn == null ? "" : fn.toString());
                if (!m.matches()) {
                    warnings.add(
                            "split.count=" + splitCount
                                    + " but the file name does not follow <prefix>-NNNNN-of-MMMMM.gguf; only this shard was opened");
                } else {
                    openSiblings(file, m, head, splitCount, sources, parts, paths);
                }
            }
            BasicModelView view = build(parts, file.toString(), paths, sources, warnings);
            return view;
        } catch (IOException | ModelFormatException | RuntimeException e) {
            for (ByteSource s : sources) {
                s.close();
            }
            throw e;
        }
    }

    private static void openSiblings(
            Path file,
            Matcher m,
            GgufFile head,
            long splitCount,
            List<ByteSource> sources,
            List<GgufFile> parts,
            List<Path> paths)
            throws IOException, ModelFormatException {
        String desc = head.description();
        int nameCount = Integer.parseInt(m.group(3));
        if (nameCount != splitCount) {
            throw new CorruptModelException(
                    desc,
                    head.keyOffset("split.count"),
                    "split.count " + splitCount + " disagrees with the file name, which says " + nameCount);
        }
        Long no = head.integer("split.no");
        int self = Integer.parseInt(m.group(2)) - 1;
        if (no == null || no != self) {
            throw new CorruptModelException(
                    desc,
                    head.keyOffset("split.no"),
                    "split.no " + no + " disagrees with the file name (shard " + (self + 1) + ")");
        }
        Path dir = file.toAbsolutePath().getParent();
        parts.clear();
        paths.clear();
        GgufFile[] byNo = new GgufFile[(int) splitCount];
        Path[] pathByNo = new Path[(int) splitCount];
        byNo[self] = head;
        pathByNo[self] = file;
        for (int i = 0; i < splitCount; i++) {
            if (i == self) {
                continue;
            }
            Path p = dir.resolve(String.format("%s-%05d-of-%05d.gguf", m.group(1), i + 1, splitCount));
            if (!Files.isRegularFile(p)) {
                throw new CorruptModelException(
                        desc, "split shard " + p.getFileName() + " (" + (i + 1) + " of " + splitCount + ") is missing");
            }
            ModelFolder.inside(dir, p);
            ByteSource s = ByteSource.map(p);
            sources.add(s);
            GitLfsPointer.refuse(s);
            GgufFile part = GgufFile.parse(s);
            Long pc = part.integer("split.count");
            Long pn = part.integer("split.no");
            if (pc == null || pc != splitCount || pn == null || pn != i) {
                throw new CorruptModelException(
                        part.description(),
                        part.keyOffset(pn == null ? "split.count" : "split.no"),
                        "shard says split.no=" + pn + " split.count=" + pc + ", expected " + i + " of " + splitCount);
            }
            byNo[i] = part;
            pathByNo[i] = p;
        }
        parts.addAll(List.of(byNo));
        paths.addAll(List.of(pathByNo));
        GgufFile first = byNo[0];
        Long declared = first.integer("split.tensors.count");
        long total = 0;
        for (GgufFile g : byNo) {
            total += g.tensors().size();
        }
        if (declared != null && declared != total) {
            throw new CorruptModelException(
                    first.description(),
                    first.keyOffset("split.tensors.count"),
                    "split.tensors.count " + declared + " but the " + splitCount + " shards hold " + total
                            + " tensors");
        }
    }

    /**
     * Opens one GGUF file from a byte source; the split siblings of a {@code -NNNNN-of-MMMMM} shard cannot be reached
     * from one, so only this file is read. GGUF names its own architecture, so {@code hints} are not needed. The view
     * owns {@code src}; on failure {@code src} is closed before the exception is thrown.
     */
    @Override
    public ModelView open(ByteSource src, ArchitectureHints hints) throws IOException, ModelFormatException {
        try {
            return open(src);
        } catch (IOException | ModelFormatException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /**
     * Opens a single GGUF file from a byte source (no split handling). The view takes ownership of
     * {@code src} and closes it; on failure {@code src} is left open for the caller.
     */
    public static ModelView open(ByteSource src) throws IOException, ModelFormatException {
        GgufFile f = GgufFile.parse(src);
        return build(List.of(f), src.description(), List.of(), List.of(src), new ArrayList<>());
    }

    /**
     * Reads only the vocabulary of a GGUF file (vocab-only or full model). No tensor data is touched
     * beyond validation of the header.
     *
     * @return empty if the file carries no {@code tokenizer.ggml.tokens}
     */
    public static Optional<Vocabulary> readVocabulary(Path file) throws IOException, ModelFormatException {
        try (ByteSource src = ByteSource.map(file)) {
            GgufFile f = GgufFile.parse(src);
            return Optional.ofNullable(GgufVocabularyReader.read(f, new ArrayList<>()));
        }
    }

    private static BasicModelView build(
            List<GgufFile> parts,
            String source,
            List<Path> paths,
            List<? extends AutoCloseable> resources,
            List<String> warnings)
            throws IOException, ModelFormatException {
        GgufFile head = parts.getFirst();
        String arch = head.string("general.architecture");
        boolean anyTensors = parts.stream().anyMatch(p -> !p.tensors().isEmpty());
        Set<String> names = new HashSet<>();
        for (GgufFile p : parts) {
            for (GgufTensorInfo t : p.tensors()) {
                if (!names.add(t.name())) {
                    throw new CorruptModelException(
                            p.description(),
                            t.infoOffset(),
                            "tensor '" + t.name() + "' appears in more than one shard");
                }
            }
        }
        ArchitectureHints hints = hints(head, arch, anyTensors ? names : null);
        BasicModelView.Builder b = BasicModelView.builder(source, ModelFormat.GGUF)
                .architecture(arch)
                .hints(hints);
        b.metadata("gguf.version", head.version());
        if (head.byteOrder() == ByteOrder.BIG_ENDIAN) {
            b.metadata("gguf.byte_order", "big-endian");
        }
        for (Map.Entry<String, Object> e : head.metadata().entrySet()) {
            b.metadata(e.getKey(), summarise(e.getValue()));
        }
        boolean permuted = arch != null && PERMUTED_ARCHITECTURES.contains(arch);
        Integer nHead = intKey(head, arch + ".attention.head_count");
        Integer nHeadKv = intKey(head, arch + ".attention.head_count_kv");
        for (GgufFile p : parts) {
            warnings.addAll(p.warnings());
            for (GgufTensorInfo t : p.tensors()) {
                TensorAddress address = TensorNaming.classify(t.name(), hints);
                int heads = 0;
                Matcher qk = Q_OR_K.matcher(t.name());
                if (permuted && qk.matches()) {
                    Integer h = qk.group(1).equals("q") ? nHead : (nHeadKv != null ? nHeadKv : nHead);
                    if (h != null && GgufTensor.permutable(t, h)) {
                        heads = h;
                    } else {
                        warnings.add("cannot undo the llama.cpp row permutation of '" + t.name() + "' (heads " + h
                                + ", shape " + java.util.Arrays.toString(t.dims()) + "); rows kept as stored");
                    }
                }
                b.tensor(new GgufTensor(
                        t,
                        p.description(),
                        p.source().slice(t.dataOffset(), t.byteSize()),
                        p.byteOrder(),
                        address,
                        heads));
            }
        }
        Vocabulary vocab = GgufVocabularyReader.read(head, warnings);
        if (vocab != null) {
            b.vocabulary(vocab);
        }
        b.claims(claims(head));
        for (Path p : paths) {
            b.file(p);
        }
        for (String w : warnings) {
            b.warning(w);
        }
        for (AutoCloseable r : resources) {
            b.resource(r);
        }
        return b.build();
    }

    /** Configuration facts from {@code {arch}.*} keys; tied embeddings inferred from the tensor names. */
    static ArchitectureHints hints(GgufFile f, String arch, Set<String> tensorNames) {
        if (arch == null) {
            return ArchitectureHints.NONE;
        }
        Boolean tied = null;
        if (tensorNames != null && tensorNames.contains("token_embd.weight")) {
            tied = !tensorNames.contains("output.weight");
        }
        return new ArchitectureHints(
                arch,
                intKey(f, arch + ".embedding_length"),
                intKey(f, arch + ".attention.head_count"),
                intKey(f, arch + ".attention.head_count_kv"),
                intKey(f, arch + ".attention.key_length"),
                intKey(f, arch + ".feed_forward_length"),
                intKey(f, arch + ".block_count"),
                tied);
    }

    /** An integer key (or a per-layer array whose entries are all equal) that fits an int; else null. */
    static Integer intKey(GgufFile f, String key) {
        Object v = f.metadata().get(key);
        long x;
        switch (v) {
            case Integer i -> x = i;
            case Long l -> x = l;
            case GgufArray a
            when a.integral() -> {
                long[] all = a.toLongArray();
                if (all.length == 0) {
                    return null;
                }
                for (long e : all) {
                    if (e != all[0]) {
                        return null;
                    }
                }
                x = all[0];
            }
            case null, default -> {
                return null;
            }
        }
        return x >= 0 && x <= Integer.MAX_VALUE ? (int) x : null;
    }

    /** Metadata value for the view: large arrays become a summary string, small ones a list. */
    static Object summarise(Object v) {
        if (!(v instanceof GgufArray a)) {
            return v;
        }
        if (a.size() > METADATA_ARRAY_LIMIT) {
            return a.toString();
        }
        List<Object> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(summarise(a.get(i)));
        }
        return List.copyOf(out);
    }

    /** Lineage claims from {@code general.base_model.*}, {@code general.source.url} and {@code general.finetune}. */
    static List<LineageClaim> claims(GgufFile f) {
        List<LineageClaim> out = new ArrayList<>();
        Long count = f.integer("general.base_model.count");
        long n = count == null ? 0 : Math.min(count, 1024);
        for (int i = 0; i < n; i++) {
            String p = "general.base_model." + i + ".";
            String name = f.string(p + "name");
            String org = f.string(p + "organization");
            String url = f.string(p + "repo_url");
            String version = f.string(p + "version");
            String value = org != null && name != null ? org + "/" + name : name != null ? name : url;
            if (value == null) {
                continue;
            }
            if (version != null && !version.isEmpty()) {
                value = value + " (version " + version + ")";
            }
            String origin = "GGUF " + p + "*";
            out.add(new LineageClaim("base_model", value, origin));
            if (url != null && !url.equals(value)) {
                out.add(new LineageClaim("base_model_url", url, origin));
            }
        }
        Map<String, String> info = new LinkedHashMap<>();
        info.put("general.source.url", "source_url");
        info.put("general.source.repo_url", "source_url");
        info.put("general.finetune", "finetune");
        for (Map.Entry<String, String> e : info.entrySet()) {
            String v = f.string(e.getKey());
            if (v != null && !v.isBlank()) {
                out.add(new LineageClaim(e.getValue(), v, "GGUF " + e.getKey()));
            }
        }
        return out;
    }
}
