package dev.pedigree.format.pytorch;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.ShardIndex;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads PyTorch checkpoints ({@code torch.save} output: {@code pytorch_model.bin}, {@code .pt},
 * {@code .pth}, {@code .ckpt}) without executing anything: zip archives (torch ≥ 1.6), legacy
 * pickle streams, and sharded checkpoints through {@code pytorch_model.bin.index.json}. Pickles go
 * through {@link RestrictedUnpickler}; TorchScript archives and pre-0.4 tar files are refused.
 *
 * <p>A file is judged by what {@code torch.load} would do with it, in torch's order (see
 * {@link #read}): a file that torch opens as a tar archive is never read as the legacy pickle it
 * may also be, and every pickle the tar loader would unpickle is scanned for globals first.
 *
 * <p>Stateless and thread-safe. The returned view owns the file mappings; close it.
 */
public final class PytorchReader implements ModelReader {
    private static final byte[] LEGACY_HEAD = {
        (byte) 0x80,
        0x02,
        (byte) 0x8a,
        0x0a,
        0x6c,
        (byte) 0xfc,
        (byte) 0x9c,
        0x46,
        (byte) 0xf9,
        0x20,
        0x6a,
        (byte) 0xa8,
        0x50,
        0x19
    };

    private final UnpicklerLimits limits;

    /** A reader with {@link UnpicklerLimits#DEFAULT} (the ServiceLoader constructor). */
    public PytorchReader() {
        this(UnpicklerLimits.DEFAULT);
    }

    public PytorchReader(UnpicklerLimits limits) {
        this.limits = limits;
    }

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public int probe(Path file, byte[] head) {
        String fn =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean torchName = fn.endsWith(".bin")
                || fn.endsWith(".pt")
                || fn.endsWith(".pth")
                || fn.endsWith(".ckpt")
                || fn.endsWith(".pkl");
        if (fn.endsWith(".bin.index.json") || fn.endsWith(".pt.index.json")) {
            return 90;
        }
        if (startsWith(head, LEGACY_HEAD)) {
            return 100;
        }
        if (zipSignature(head)) {
            if (head.length >= 30) {
                int nameLen = (head[26] & 0xFF) | (head[27] & 0xFF) << 8;
                if (30 + nameLen <= head.length) {
                    String first = new String(head, 30, nameLen, StandardCharsets.ISO_8859_1);
                    int slash = first.indexOf('/');
                    if (slash > 0 && first.substring(slash + 1).equals("data.pkl")) {
                        return 100;
                    }
                }
            }
            return torchName ? 60 : 5;
        }
        if (TarArchive.startsWithHeader(head)) {
            // torch.load opens any tar archive with its legacy tar loader and unpickles its members
            String first = TarArchive.nts(java.util.Arrays.copyOf(head, 100));
            return torchName || LegacyTarCheckpoint.MEMBERS.contains(LegacyTarCheckpoint.normalise(first)) ? 90 : 20;
        }
        // torch.load and pickle.load unpickle anything else, from a pickle of any protocol
        PickleSniffer.Sniff sniff = PickleSniffer.sniff(head);
        if (sniff.pickle()) {
            return torchName ? 40 : sniff.namesGlobal() ? 25 : 0;
        }
        return 0;
    }

    /** torch's {@code _is_zipfile}: the local-header signature at offset 0, nothing else. */
    private static boolean zipSignature(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    @Override
    public ModelView open(Path file) throws IOException, ModelFormatException {
        return open(file, ArchitectureHints.NONE);
    }

    /** Scans every pickle torch.load would unpickle from {@code file}, by {@link PickleSafetyScan}'s rule. */
    @Override
    public List<String> checkBeside(Path file) throws IOException, ModelFormatException {
        try (ByteSource src = ByteSource.map(file)) {
            return PickleSafetyScan.scan(src, limits);
        }
    }

    /**
     * Opens a checkpoint file, or a sharded checkpoint through its {@code *.index.json}, naming
     * tensors with {@code hints} (from the HF directory's config.json).
     *
     * @throws UnsafeModelException if a pickle asks for anything outside the allowlist
     * @throws UnsupportedModelException for TorchScript archives, tar checkpoints or compressed
     *     storage records
     * @throws CorruptModelException if the bytes contradict the format
     */
    public ModelView open(Path file, ArchitectureHints hints) throws IOException, ModelFormatException {
        String fn = file.getFileName() == null ? "" : file.getFileName().toString();
        if (fn.endsWith(".index.json")) {
            return openSharded(file, hints);
        }
        BasicModelView.Builder view = BasicModelView.builder(file.toString(), ModelFormat.PYTORCH)
                .hints(hints)
                .architecture(hints.architecture());
        ByteSource src = ByteSource.map(file);
        try {
            PytorchCheckpoint c = read(src, hints);
            view.tensors(c.tensors()).metadata(c.metadata()).file(file).resource(src);
            c.warnings().forEach(view::warning);
            return view.build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /**
     * Reads the checkpoint held by {@code src} (zip or legacy, detected from the content). The
     * tensors borrow {@code src}; the caller keeps it open while using them and closes it after.
     */
    public List<PytorchTensor> tensors(ByteSource src, ArchitectureHints hints)
            throws IOException, ModelFormatException {
        return read(src, hints).tensors();
    }

    /**
     * Reads {@code src} the way {@code torch.load} would open it, in its order (torch/serialization.py:
     * {@code load()}, {@code _is_zipfile()}, {@code _legacy_load()}):
     *
     * <ol>
     *   <li>{@code _is_zipfile}: the first four bytes are {@code PK\x03\x04}: the zip reader
     *       ({@code torch.jit.load} for TorchScript archives, refused here);
     *   <li>otherwise {@code _legacy_load} first calls {@code legacy_load}, which opens the file with
     *       {@code tarfile.open(fileobj=f, mode='r:')} and unpickles the members {@code storages},
     *       {@code tensors} and {@code pickle}; only a {@code tarfile.TarError} raised in there falls
     *       back to step 3, so a tar file can have both its members and its legacy stream unpickled;
     *   <li>{@code pickle_module.load} from offset 0: magic number, protocol, sys_info, the object
     *       and the storage keys, each a pickle of any protocol.
     * </ol>
     *
     * A file torch would open as a tar archive is refused (Pedigree does not read pre-0.4
     * checkpoints) after the pickles of both paths were scanned, so that a payload in either is
     * reported as unsafe.
     */
    PytorchCheckpoint read(ByteSource src, ArchitectureHints hints) throws IOException, ModelFormatException {
        long size = src.size();
        byte[] head = src.readBytes(0, (int) Math.min(size, 512));
        if (zipSignature(head)) {
            return PytorchCheckpoint.readZip(src, hints, limits);
        }
        TarArchive tar = TarArchive.examine(src);
        if (tar.kind() == TarArchive.Kind.NOT_TAR) {
            try {
                return PytorchCheckpoint.readLegacy(src, hints, limits);
            } catch (CorruptModelException e) {
                if (e.offset() == 0) {
                    throw new CorruptModelException(
                            src.description(),
                            0,
                            "neither a zip archive, a tar archive nor a pickle stream: not a PyTorch checkpoint ("
                                    + e.detail() + ")",
                            e);
                }
                throw e;
            }
        }
        if (tar.kind() == TarArchive.Kind.TAR) {
            LegacyTarCheckpoint.scan(src, tar, limits);
        }
        try {
            PytorchCheckpoint.readLegacy(src, hints, limits);
        } catch (CorruptModelException | UnsupportedModelException e) {
            // torch's fallback would fail at the same place; the tar path decides
        }
        throw new UnsupportedModelException(
                src.description(),
                0,
                tar.kind() == TarArchive.Kind.TAR
                        ? "tar-format torch checkpoint (before torch 0.4): torch.load opens it with its tar loader"
                                + " (no unsafe global found in its pickles); not supported"
                        : "the file starts with a tar header, so torch.load would try its tar loader first, in a way"
                                + " Pedigree does not follow (" + tar.reason() + "); not supported");
    }

    private ModelView openSharded(Path index, ArchitectureHints hints) throws IOException, ModelFormatException {
        String where = index.toString();
        ShardIndex idx;
        try (ByteSource src = ByteSource.map(index)) {
            idx = ShardIndex.read(src);
        }
        // Shards in order of first mention, each with the tensors the index maps to it (in index order).
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        idx.weightMap()
                .forEach((tensor, shard) ->
                        byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(tensor));
        BasicModelView.Builder view =
                BasicModelView.builder(where, ModelFormat.PYTORCH).hints(hints).architecture(hints.architecture());
        List<ByteSource> opened = new ArrayList<>();
        try {
            List<TensorRef> tensors = new ArrayList<>();
            for (var shard : byShard.entrySet()) {
                Path p = idx.resolve(index, shard.getKey());
                ByteSource src = ByteSource.map(p);
                opened.add(src);
                GitLfsPointer.refuse(src);
                PytorchCheckpoint c = read(src, hints);
                Set<String> expected = new HashSet<>(shard.getValue());
                Set<String> present = new HashSet<>();
                for (PytorchTensor t : c.tensors()) {
                    present.add(t.name());
                    if (expected.contains(t.name())) {
                        tensors.add(t);
                    } else {
                        view.warning("shard " + shard.getKey() + " holds " + t.name()
                                + ", which the index maps elsewhere or not at all; ignored");
                    }
                }
                for (String name : shard.getValue()) {
                    if (!present.contains(name)) {
                        throw new CorruptModelException(
                                p.toString(), 0, "index maps tensor " + name + " to this shard, but it is not there");
                    }
                }
                c.warnings().forEach(w -> view.warning(shard.getKey() + ": " + w));
                view.file(p);
            }
            view.tensors(tensors).metadata("pytorch.format", "sharded").metadata("pytorch.shards", byShard.size());
            opened.forEach(view::resource);
            return view.build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            for (ByteSource s : opened) {
                s.close();
            }
            throw e;
        }
    }

    private static boolean startsWith(byte[] head, byte[] prefix) {
        if (head.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (head[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
