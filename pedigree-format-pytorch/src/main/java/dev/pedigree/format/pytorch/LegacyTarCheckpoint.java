package dev.pedigree.format.pytorch;

import dev.pedigree.format.pytorch.RestrictedUnpickler.PersistentIds;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Checkpoints that torch reads with its pre-0.4 tar loader. Pedigree does not read their tensors,
 * but it judges them by what that loader unpickles, because it does so with the unrestricted
 * pickle module: {@code legacy_load} in torch/serialization.py extracts the member
 * {@code storages} (a pickled count, then per storage a pickled {@code (key, location,
 * storage_type)} followed by an int64 element count and the raw elements, then a pickled list of
 * views), {@code tensors} (a pickled count, then per tensor a pickled {@code (key, storage_id,
 * type)} followed by int32 ndim, 4 pad bytes, ndim int64 sizes, ndim int64 strides and an int64
 * offset) and {@code pickle} (one pickle whose persistent ids are tuples or keys), in that order.
 *
 * <p>Every pickle on that path is run through {@link RestrictedUnpickler} (ids inert,
 * {@link PersistentIds#TAR}); the first global outside the allowlist is reported. Where the layout
 * stops making sense torch would raise there too, so the scan of that member ends. Stateless.
 */
final class LegacyTarCheckpoint {
    /** The members {@code legacy_load} reads, in its order. */
    static final List<String> MEMBERS = List.of("storages", "tensors", "pickle");

    private LegacyTarCheckpoint() {}

    /**
     * Scans the pickles torch's tar loader would unpickle from {@code tar}.
     *
     * @throws UnsafeModelException naming the member, the global and its absolute offset
     */
    static void scan(ByteSource src, TarArchive tar, UnpicklerLimits limits) throws IOException, ModelFormatException {
        PickleBudget budget = limits.newBudget();
        for (String wanted : MEMBERS) {
            for (TarArchive.Member m : tar.members()) {
                if (!normalise(m.name()).equals(wanted)) {
                    continue;
                }
                TarArchive.Member data = m.type() == '1' ? linkTarget(tar, m) : m;
                if (data == null || !data.regular()) {
                    continue; // tarfile cannot give this member's bytes to the unpickler
                }
                long available = Math.max(0, Math.min(data.size(), src.size() - data.dataOffset()));
                MemorySegment bytes = src.slice(data.dataOffset(), available);
                MemberStream s = new MemberStream(src.description(), bytes, data.dataOffset(), limits, budget);
                try {
                    switch (wanted) {
                        case "storages" -> storages(s);
                        case "tensors" -> tensors(s);
                        default -> s.pickle();
                    }
                } catch (UnsafeModelException e) {
                    throw new UnsafeModelException(
                            e.source(),
                            e.offset(),
                            e.detail() + " in tar member '" + m.name()
                                    + "', which torch.load's tar loader unpickles before the legacy stream",
                            e);
                } catch (CorruptModelException e) {
                    // torch raises at the same place; nothing after it in this member is unpickled
                }
            }
        }
    }

    private static void storages(MemberStream s) throws ModelFormatException {
        long count = s.count(s.pickle(), "storage count");
        for (long i = 0; i < count; i++) {
            PickleValue args = s.pickle();
            if (!(args instanceof PickleValue.Tuple t)
                    || t.size() != 3
                    || !(t.get(2) instanceof PickleValue.Global type)
                    || type.dtype() == null) {
                throw s.corrupt("storage record is " + args.describe());
            }
            long elements = s.i64();
            long bytes;
            try {
                bytes = Math.multiplyExact(elements, (long) type.dtype().blockBytes());
            } catch (ArithmeticException e) {
                throw s.corrupt("storage of " + elements + " elements");
            }
            s.skip(bytes);
        }
        s.pickle(); // storage views
    }

    private static void tensors(MemberStream s) throws ModelFormatException {
        long count = s.count(s.pickle(), "tensor count");
        for (long i = 0; i < count; i++) {
            s.pickle();
            long ndim = s.i32();
            if (ndim < 0 || ndim > 64) {
                throw s.corrupt("tensor of " + ndim + " dimensions");
            }
            s.skip(4 + 16 * ndim + 8);
        }
    }

    /** The member a hard link names: tarfile extracts that member's data under the link's name. */
    private static TarArchive.Member linkTarget(TarArchive tar, TarArchive.Member link) {
        String target = normalise(link.linkName());
        TarArchive.Member found = null;
        for (TarArchive.Member m : tar.members()) {
            if (m == link) {
                break;
            }
            if (normalise(m.name()).equals(target)) {
                found = m;
            }
        }
        return found;
    }

    /** {@code os.path.normpath} for the relative names of tar members. */
    static String normalise(String name) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : name.split("/+")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..") && !parts.isEmpty() && !parts.peekLast().equals("..")) {
                parts.removeLast();
            } else {
                parts.addLast(p);
            }
        }
        String joined = String.join("/", parts);
        return name.startsWith("/") ? "/" + joined : joined.isEmpty() ? "." : joined;
    }

    /** The pickles and raw fields of one member, read in order. */
    private static final class MemberStream {
        private final String where;
        private final MemorySegment bytes;
        private final long base;
        private final UnpicklerLimits limits;
        private final PickleBudget budget;
        private long pos;

        MemberStream(String where, MemorySegment bytes, long base, UnpicklerLimits limits, PickleBudget budget) {
            this.where = where;
            this.bytes = bytes;
            this.base = base;
            this.limits = limits;
            this.budget = budget;
        }

        PickleValue pickle() throws ModelFormatException {
            RestrictedUnpickler u =
                    new RestrictedUnpickler(where, bytes.asSlice(pos), base + pos, limits, PersistentIds.TAR, budget);
            PickleValue v = u.load();
            pos += u.position();
            return v;
        }

        long count(PickleValue v, String what) throws CorruptModelException {
            if (!(v instanceof PickleValue.Int n) || n.value() < 0) {
                throw corrupt(what + " is " + v.describe());
            }
            return n.value();
        }

        long i64() throws CorruptModelException {
            require(8);
            long v = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
            pos += 8;
            return v;
        }

        long i32() throws CorruptModelException {
            require(4);
            int v = bytes.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
            pos += 4;
            return v;
        }

        void skip(long n) throws CorruptModelException {
            require(n);
            pos += n;
        }

        private void require(long n) throws CorruptModelException {
            if (n < 0 || n > bytes.byteSize() - pos) {
                throw corrupt("member ends inside a raw field of " + n + " bytes");
            }
        }

        CorruptModelException corrupt(String detail) {
            return new CorruptModelException(where, base + pos, detail);
        }
    }
}
