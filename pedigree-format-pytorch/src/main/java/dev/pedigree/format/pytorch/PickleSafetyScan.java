package dev.pedigree.format.pytorch;

import dev.pedigree.format.pytorch.RestrictedUnpickler.PersistentIds;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safety check of a pickle-based file that a directory holds beside the weights Pedigree reads
 * ({@code training_args.bin}, {@code adapter_model.bin}, a second {@code pytorch_model.bin}): every pickle that
 * {@code torch.load} would unpickle, in its loader order, is interpreted by {@link RestrictedUnpickler} without
 * turning anything into tensors.
 *
 * <p>The rule: a global on the deny-list (code execution, I/O, imports) makes the file unsafe, as in the weights; a
 * global that is merely outside the weights allowlist is tolerated only when it is a data class of training metadata
 * ({@link PickleGlobal#trainingMetadata}), and the file is then reported as not loadable weights-only; any other
 * global outside the allowlist makes the file unsafe too. A TorchScript archive is unsafe (torch.load hands it to
 * {@code torch.jit.load}, which runs its code).
 *
 * <p>Stateless and thread-safe.
 */
final class PickleSafetyScan {
    private PickleSafetyScan() {}

    /**
     * Scans {@code src}.
     *
     * @return the training-metadata globals it names (qualified names, file order); empty if it loads weights-only
     * @throws UnsafeModelException naming the global and offset when loading the file could run code
     */
    static List<String> scan(ByteSource src, UnpicklerLimits limits) throws IOException, ModelFormatException {
        Map<String, Long> foreign = new LinkedHashMap<>();
        String where = src.description();
        byte[] head = src.readBytes(0, (int) Math.min(src.size(), 4));
        if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            ZipDirectory zip = ZipDirectory.read(src);
            for (ZipDirectory.Entry e : zip.entries()) {
                String rest = e.name().substring(e.name().indexOf('/') + 1);
                if (rest.equals("constants.pkl") || rest.startsWith("code/")) {
                    throw new UnsafeModelException(
                            where,
                            e.localHeaderOffset(),
                            "TorchScript archive (" + e.name() + "): torch.load hands it to torch.jit.load, which runs"
                                    + " its code");
                }
            }
            for (ZipDirectory.Entry e : zip.entries()) {
                if (e.name().endsWith(".pkl")) {
                    MemorySegment pickle = zip.data(e, PytorchCheckpoint.MAX_INFLATED_PICKLE);
                    new RestrictedUnpickler(where, pickle, e.dataOffset(), limits, PersistentIds.ZIP)
                            .scanOnly(foreign)
                            .load();
                }
            }
        } else {
            TarArchive tar = TarArchive.examine(src);
            if (tar.kind() == TarArchive.Kind.TAR) {
                LegacyTarCheckpoint.scan(src, tar, limits);
            }
            try {
                legacyStream(src, limits, foreign);
            } catch (dev.pedigree.io.CorruptModelException | dev.pedigree.io.UnsupportedModelException e) {
                if (tar.kind() == TarArchive.Kind.NOT_TAR) {
                    throw e;
                }
                // torch's fallback after its tar loader would fail at the same place: nothing more is unpickled
            }
        }
        return judge(where, foreign);
    }

    /**
     * The legacy stream as torch's {@code _legacy_load} unpickles it: the magic number (a plain pickle ends there, as
     * {@code pickle.load} reads one), then protocol, sys_info, the object and the storage keys.
     */
    private static void legacyStream(ByteSource src, UnpicklerLimits limits, Map<String, Long> foreign)
            throws IOException, ModelFormatException {
        String where = src.description();
        MemorySegment all = src.slice(0, src.size());
        PickleBudget budget = limits.newBudget();
        long pos = 0;
        for (int i = 0; i < 5 && pos < src.size(); i++) {
            RestrictedUnpickler u = new RestrictedUnpickler(
                            where, all.asSlice(pos), pos, limits, PersistentIds.LEGACY, budget)
                    .scanOnly(foreign);
            PickleValue v = u.load();
            pos += u.position();
            if (i == 0 && !(v instanceof PickleValue.BigInt b && b.value().equals(PytorchCheckpoint.LEGACY_MAGIC))) {
                return;
            }
        }
    }

    private static List<String> judge(String where, Map<String, Long> foreign) throws UnsafeModelException {
        List<String> metadata = new ArrayList<>();
        for (var g : foreign.entrySet()) {
            String q = g.getKey();
            int dot = q.lastIndexOf('.');
            if (!PickleGlobal.trainingMetadata(q.substring(0, dot), q.substring(dot + 1))) {
                throw new UnsafeModelException(
                        where,
                        g.getValue(),
                        "refused global " + q + " (outside the weights allowlist and not training metadata: a loader"
                                + " without weights_only would import and call it)");
            }
            metadata.add(q);
        }
        return metadata;
    }
}
