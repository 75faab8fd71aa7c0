package dev.pedigree.format.safetensors;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.ShardIndex;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads safetensors files: a single {@code *.safetensors} file, or a sharded checkpoint given by
 * its {@code *.safetensors.index.json}, whose shards must sit in the same directory. Every file is
 * mapped once and its header validated as the reference implementation does (see
 * {@link SafetensorsHeader}); tensors are read zero-copy from the mappings.
 *
 * <p>FP8 weights with a {@code <weight>_scale_inv} sibling (DeepSeek-V3 style block scales) are
 * dequantised on read; the scale tensors are listed with {@link Part#QUANT_SCALE} at their
 * weight's address.
 *
 * <p>Registered for {@link java.util.ServiceLoader}. Stateless and thread-safe. The returned
 * {@link ModelView} owns the mappings; close it when done.
 */
public final class SafetensorsReader implements ModelReader {
    /** Suffix that marks an FP8 block-scale tensor: {@code W_scale_inv} scales {@code W}. */
    public static final String SCALE_INV_SUFFIX = "_scale_inv";

    /** Block edge assumed for FP8 block scales when the shapes allow it. */
    public static final long DEFAULT_BLOCK = 128;

    private static final String INDEX_SUFFIX = ".safetensors.index.json";

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public SafetensorsReader() {}

    @Override
    public String name() {
        return "safetensors";
    }

    @Override
    public int probe(Path file, byte[] head) {
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
        if (fileName.endsWith(INDEX_SUFFIX)) {
            String text = new String(head, StandardCharsets.UTF_8);
            if (text.contains("\"weight_map\"")) {
                return 100;
            }
            return text.strip().startsWith("{") ? 70 : 0;
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = -1;
        }
        if (!SafetensorsHeader.looksLikeHeader(head, size)) {
            return 0;
        }
        if (fileName.endsWith(".safetensors")) {
            return 100;
        }
        String text = new String(head, 8, head.length - 8, StandardCharsets.ISO_8859_1);
        return text.contains("\"data_offsets\"") ? 95 : 60;
    }

    @Override
    public ModelView open(Path file) throws IOException, ModelFormatException {
        return open(file, ArchitectureHints.NONE);
    }

    /**
     * Opens a single file, or a sharded checkpoint when {@code file} is an index
     * ({@code *.index.json}), passing {@code hints} (from config.json) to tensor naming.
     *
     * @throws CorruptModelException if a header, the index or a shard contradicts the format
     * @throws dev.pedigree.io.UnsupportedModelException for unknown dtype strings or ranks above 8
     * @throws IOException if a file cannot be read
     */
    public static ModelView open(Path file, ArchitectureHints hints) throws IOException, ModelFormatException {
        return isIndex(file) ? openSharded(file, hints) : openFile(file, hints);
    }

    /** Whether {@code file} is named like a sharded checkpoint's index. */
    public static boolean isIndex(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().endsWith(".index.json");
    }

    /** Opens one safetensors file. */
    public static ModelView openFile(Path file, ArchitectureHints hints) throws IOException, ModelFormatException {
        return open(ByteSource.map(file), file, hints);
    }

    /**
     * Opens one safetensors file from any byte source (a mapping, bytes in memory, a remote
     * object). The returned view takes ownership of {@code src} and closes it; if opening fails,
     * {@code src} is closed before the exception is thrown.
     */
    @Override
    public ModelView open(ByteSource src, ArchitectureHints hints) throws IOException, ModelFormatException {
        return open(src, null, hints);
    }

    private static ModelView open(ByteSource src, Path file, ArchitectureHints hints)
            throws IOException, ModelFormatException {
        try {
            SafetensorsHeader header = SafetensorsHeader.read(src);
            BasicModelView.Builder view = BasicModelView.builder(src.description(), ModelFormat.SAFETENSORS);
            view.resource(src).hints(hints).architecture(hints.architecture());
            if (file != null) {
                view.file(file);
            }
            view.metadata(header.metadata());
            List<SafetensorsTensor> tensors = new ArrayList<>();
            for (SafetensorsEntry e : header.entries()) {
                tensors.add(tensor(src, header, e, hints));
            }
            List<String> warnings = new ArrayList<>();
            attachScales(tensors, warnings);
            warnings.forEach(view::warning);
            return view.tensors(tensors).build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /**
     * Opens a sharded checkpoint from its index. Each shard named in {@code weight_map} is mapped
     * once; every tensor the index names must exist in its shard. A {@code total_size} that
     * disagrees with the tensors' bytes, and tensors present in a shard but not in the index, are
     * reported as warnings.
     */
    public static ModelView openSharded(Path index, ArchitectureHints hints) throws IOException, ModelFormatException {
        ShardIndex idx;
        try (ByteSource src = ByteSource.map(index)) {
            idx = ShardIndex.read(src);
        }
        List<ByteSource> opened = new ArrayList<>();
        try {
            BasicModelView.Builder view = BasicModelView.builder(index.toString(), ModelFormat.SAFETENSORS);
            view.hints(hints).architecture(hints.architecture()).file(index);
            List<String> warnings = new ArrayList<>();
            Map<String, SafetensorsHeader> headers = new LinkedHashMap<>();
            Map<String, ByteSource> sources = new HashMap<>();
            for (Map.Entry<String, Long> shard : idx.shards().entrySet()) {
                Path path = idx.resolve(index, shard.getKey());
                ByteSource src = ByteSource.map(path);
                opened.add(src);
                GitLfsPointer.refuse(src);
                view.resource(src).file(path);
                headers.put(shard.getKey(), SafetensorsHeader.read(src));
                sources.put(shard.getKey(), src);
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            for (SafetensorsHeader h : headers.values()) {
                for (Map.Entry<String, String> m : h.metadata().entrySet()) {
                    String previous = metadata.putIfAbsent(m.getKey(), m.getValue());
                    if (previous != null && !previous.equals(m.getValue())) {
                        warnings.add("shards disagree on __metadata__ '" + m.getKey() + "': '" + previous + "' vs '"
                                + m.getValue() + "' in " + h.source());
                    }
                }
            }
            view.metadata(metadata);
            idx.metadata().forEach((k, v) -> view.metadata("index." + k, v));

            Map<String, Map<String, SafetensorsEntry>> byShard = new HashMap<>();
            headers.forEach((shard, h) -> {
                Map<String, SafetensorsEntry> m = new HashMap<>();
                h.entries().forEach(e -> m.put(e.name(), e));
                byShard.put(shard, m);
            });
            long mappedBytes = 0;
            for (Map.Entry<String, String> e : idx.weightMap().entrySet()) {
                SafetensorsEntry entry = byShard.get(e.getValue()).get(e.getKey());
                if (entry == null) {
                    throw new CorruptModelException(
                            idx.source(),
                            idx.entryOffsets().get(e.getKey()),
                            "tensor '" + e.getKey() + "' is mapped to shard " + e.getValue()
                                    + ", which does not contain it");
                }
                mappedBytes = Math.addExact(mappedBytes, entry.length());
            }
            if (idx.totalSize() != null && idx.totalSize() != mappedBytes) {
                warnings.add("index metadata.total_size " + idx.totalSize() + " differs from the " + mappedBytes
                        + " bytes of the tensors in weight_map (" + idx.source() + ")");
            }

            List<SafetensorsTensor> tensors = new ArrayList<>();
            Map<String, String> seen = new HashMap<>();
            for (Map.Entry<String, SafetensorsHeader> shard : headers.entrySet()) {
                SafetensorsHeader h = shard.getValue();
                for (SafetensorsEntry e : h.entries()) {
                    String mapped = idx.weightMap().get(e.name());
                    if (mapped != null && !mapped.equals(shard.getKey())) {
                        warnings.add("tensor '" + e.name() + "' also appears in " + h.source()
                                + " but weight_map assigns it to " + mapped + "; that copy is ignored");
                        continue;
                    }
                    String earlier = seen.putIfAbsent(e.name(), shard.getKey());
                    if (earlier != null) {
                        warnings.add("tensor '" + e.name() + "' appears in both " + earlier + " and " + shard.getKey()
                                + "; the second copy is ignored");
                        continue;
                    }
                    if (mapped == null) {
                        warnings.add("tensor '" + e.name() + "' in " + h.source()
                                + " is not listed in the index weight_map");
                    }
                    tensors.add(tensor(sources.get(shard.getKey()), h, e, hints));
                }
            }
            attachScales(tensors, warnings);
            warnings.forEach(view::warning);
            return view.tensors(tensors).build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
            throw e;
        }
    }

    private static SafetensorsTensor tensor(
            ByteSource src, SafetensorsHeader header, SafetensorsEntry e, ArchitectureHints hints)
            throws IOException, ModelFormatException {
        long at = Math.addExact(header.dataStart(), e.begin());
        src.checkRange(at, e.length(), "tensor '" + e.name() + "'");
        TensorAddress address;
        if (e.name().endsWith(SCALE_INV_SUFFIX)) {
            String weight = e.name().substring(0, e.name().length() - SCALE_INV_SUFFIX.length());
            address = TensorNaming.classify(weight, hints).withPart(Part.QUANT_SCALE);
        } else {
            address = TensorNaming.classify(e.name(), hints);
        }
        return new SafetensorsTensor(
                e.name(), e.dtype(), e.shape(), address, src.description(), src, e.length(), at, null, null);
    }

    /** Pairs each {@code W_scale_inv} with {@code W} and replaces FP8 weights by dequantising copies. */
    private static void attachScales(List<SafetensorsTensor> tensors, List<String> warnings) {
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            position.put(tensors.get(i).name(), i);
        }
        for (SafetensorsTensor s : List.copyOf(tensors)) {
            if (!s.name().endsWith(SCALE_INV_SUFFIX)) {
                continue;
            }
            String weightName = s.name().substring(0, s.name().length() - SCALE_INV_SUFFIX.length());
            Integer wi = position.get(weightName);
            if (wi == null) {
                warnings.add("scale tensor '" + s.name() + "' has no weight '" + weightName + "' beside it");
                continue;
            }
            SafetensorsTensor w = tensors.get(wi);
            if (!isBlockScaledFp8(w.dtype())) {
                warnings.add("scale tensor '" + s.name() + "' sits beside '" + weightName + "' of dtype "
                        + w.safetensorsDType() + ", which is not FP8; it is not applied");
                continue;
            }
            String problem = null;
            long[] block = null;
            if (s.dtype() != DType.F32 && s.dtype() != DType.BF16 && s.dtype() != DType.F16) {
                problem = "scale tensor '" + s.name() + "' has dtype " + s.safetensorsDType()
                        + "; expected F32, BF16 or F16";
            } else {
                block = inferBlock(w.shape(), s.shape());
                if (block == null) {
                    problem = "scale tensor '" + s.name() + "' of shape " + s.shape() + " does not tile weight '"
                            + weightName + "' of shape " + w.shape() + " into blocks";
                }
            }
            if (problem != null) {
                warnings.add(problem + "; the weight's values are refused");
                tensors.set(wi, w.refusing(problem));
            } else {
                tensors.set(wi, w.withScale(new SafetensorsTensor.BlockScale(s, block[0], block[1])));
            }
        }
    }

    private static boolean isBlockScaledFp8(DType t) {
        return t == DType.F8_E4M3 || t == DType.F8_E5M2 || t == DType.F8_E4M3FNUZ || t == DType.F8_E5M2FNUZ;
    }

    /**
     * Block edges {@code {rows, columns}} such that {@code scale} is
     * {@code [ceil(out/rows), ceil(in/columns)]} for a 2-D {@code weight}, preferring
     * {@link #DEFAULT_BLOCK}; a single-element scale covers the whole weight. Null if none fits.
     */
    static long[] inferBlock(Shape weight, Shape scale) {
        if (weight.rank() > 2) {
            return null;
        }
        long out = weight.rows();
        long in = weight.columns();
        if (scale.elementCount() == 1 && scale.rank() <= 2) {
            return new long[] {Math.max(1, out), Math.max(1, in)};
        }
        if (scale.rank() != 2 || weight.rank() != 2) {
            return null;
        }
        long br = blockEdge(out, scale.dim(0));
        long bc = blockEdge(in, scale.dim(1));
        return br > 0 && bc > 0 ? new long[] {br, bc} : null;
    }

    private static long blockEdge(long n, long blocks) {
        if (n == 0) {
            return blocks == 0 ? DEFAULT_BLOCK : -1;
        }
        if (blocks <= 0 || blocks > n) {
            return -1;
        }
        if (ceilDiv(n, DEFAULT_BLOCK) == blocks) {
            return DEFAULT_BLOCK;
        }
        long edge = ceilDiv(n, blocks);
        return ceilDiv(n, edge) == blocks ? edge : -1;
    }

    private static long ceilDiv(long a, long b) {
        return Math.ceilDiv(a, b);
    }
}
