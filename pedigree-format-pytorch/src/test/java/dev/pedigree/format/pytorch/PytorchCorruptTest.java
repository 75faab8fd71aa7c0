package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PytorchCorruptTest {
    static final String NAME = "bad.pt";

    static PytorchWriter.Builder sample() {
        double[] s = new double[12];
        for (int i = 0; i < 12; i++) {
            s[i] = i;
        }
        return PytorchWriter.builder()
                .storage("0", DType.F32, s)
                .tensor("w", "0", 0, new long[] {3, 4}, new long[] {4, 1})
                .tensor("wt", "0", 0, new long[] {4, 3}, new long[] {1, 4})
                .tensor("h", DType.F16, new long[] {2, 2}, new double[] {1, 2, 3, 4});
    }

    static List<PytorchTensor> open(byte[] b) throws Exception {
        try (ByteSource src = ByteSource.ofBytes(NAME, b)) {
            List<PytorchTensor> ts = new PytorchReader().tensors(src, ArchitectureHints.NONE);
            for (PytorchTensor t : ts) {
                t.readAll();
            }
            return ts;
        }
    }

    static void assertFails(byte[] b, Class<? extends ModelFormatException> type, String message) {
        assertThatThrownBy(() -> open(b))
                .isInstanceOf(type)
                .hasMessageContaining(message)
                .hasMessageContaining(NAME + " at offset");
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    static int i32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static byte[] put32(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    static byte[] put16(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
        return c;
    }

    /** Offsets of the central directory entries of a non-ZIP64 archive. */
    static List<Integer> centralEntries(byte[] zip) {
        int eocd = zip.length - 22;
        int cd = i32(zip, eocd + 16);
        int count = u16(zip, eocd + 10);
        List<Integer> out = new ArrayList<>();
        int p = cd;
        for (int i = 0; i < count; i++) {
            out.add(p);
            p += 46 + u16(zip, p + 28) + u16(zip, p + 30) + u16(zip, p + 32);
        }
        return out;
    }

    @Test
    void truncationAtEveryHeaderBoundary() throws Exception {
        byte[] zip = sample().zipBytes();
        assertThat(open(zip)).hasSize(3);
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int c : centralEntries(zip)) {
            int lho = i32(zip, c + 42);
            int data = lho + 30 + u16(zip, lho + 26) + u16(zip, lho + 28);
            cuts.addAll(List.of(c, c + 46, lho, lho + 30, data, data + 1));
        }
        cuts.add(zip.length - 22);
        cuts.add(zip.length - 1);
        cuts.add(0);
        cuts.add(10);
        int n = 0;
        for (int cut : cuts) {
            byte[] t = java.util.Arrays.copyOf(zip, cut);
            assertThatThrownBy(() -> open(t))
                    .as("cut at " + cut)
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(NAME);
            n++;
        }
        byte[] legacy = sample().legacyBytes();
        assertThat(open(legacy)).hasSize(3);
        // Every prefix of the legacy stream up to the storage records breaks a pickle or a record.
        for (int cut = 0; cut < legacy.length; cut += 7) {
            byte[] t = java.util.Arrays.copyOf(legacy, cut);
            assertThatThrownBy(() -> open(t))
                    .as("legacy cut at " + cut)
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(NAME + " at offset");
            n++;
        }
        System.out.println("truncation cases: " + n);
    }

    @Test
    void hugeClaimedSizesAndOffsets() {
        byte[] zip = sample().zipBytes();
        List<Integer> cd = centralEntries(zip);
        int rec = cd.get(2); // archive/data/0
        assertFails(
                put32(put32(zip, rec + 20, 0x7FFFFFF0), rec + 24, 0x7FFFFFF0),
                CorruptModelException.class,
                "past the central directory");
        assertFails(put32(zip, rec + 20, 0x10), CorruptModelException.class, "compressed size");
        assertFails(put32(zip, rec + 42, 0x7FFFFFF0), CorruptModelException.class, "past the central directory");
        int eocd = zip.length - 22;
        assertFails(put16(put16(zip, eocd + 8, 0xFFFE), eocd + 10, 0xFFFE), CorruptModelException.class, "entries");
        assertFails(put32(zip, eocd + 16, 0x7FFFFF00), CorruptModelException.class, "central directory");
        assertFails(put32(zip, eocd + 12, 0x7FFFFF00), CorruptModelException.class, "central directory");
        // A name length reaching past the directory.
        assertFails(put16(zip, rec + 28, 0xFFFF), CorruptModelException.class, "entry name");
        // A local header whose extra length pushes the data past the directory.
        int lho = i32(zip, rec + 42);
        assertFails(put16(zip, lho + 28, 0xFFFF), CorruptModelException.class, "disagrees");
        assertFails(put32(zip, lho, 0x12345678), CorruptModelException.class, "bad local header signature");
        assertFails(put32(zip, rec, 0x12345678), CorruptModelException.class, "bad central directory entry signature");
    }

    @Test
    void zip64LocatorPointingNowhere() throws Exception {
        byte[] zip = sample().zip64(true).zipBytes();
        assertThat(open(zip)).hasSize(3);
        int locator = zip.length - 22 - 20;
        byte[] bad = zip.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(locator + 8, Long.MAX_VALUE / 2);
        assertFails(bad, CorruptModelException.class, "ZIP64 EOCD offset");
        byte[] bad2 = zip.clone();
        int z64 = (int) ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getLong(locator + 8);
        ByteBuffer.wrap(bad2).order(ByteOrder.LITTLE_ENDIAN).putLong(z64 + 48, 1L << 40);
        assertFails(bad2, CorruptModelException.class, "outside the archive");
        byte[] bad3 = zip.clone();
        ByteBuffer.wrap(bad3).order(ByteOrder.LITTLE_ENDIAN).putLong(z64 + 32, 1L << 50);
        assertFails(bad3, CorruptModelException.class, "entries");
    }

    static byte[] localHeader(String name, int size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(30 + n.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x04034b50)
                .putShort((short) 20)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0x21)
                .putInt(0);
        b.putInt(size)
                .putInt(size)
                .putShort((short) n.length)
                .putShort((short) 0)
                .put(n);
        return b.array();
    }

    static byte[] centralHeader(String name, int size, int lho) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(46 + n.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x02014b50)
                .putShort((short) 20)
                .putShort((short) 20)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0x21);
        b.putInt(0)
                .putInt(size)
                .putInt(size)
                .putShort((short) n.length)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0)
                .putInt(0);
        b.putInt(lho).put(n);
        return b.array();
    }

    @Test
    void overlappingEntriesAreRefused() {
        // Entry b's local header and data sit inside entry a's data: the classic overlapping zip bomb.
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        inner.writeBytes(localHeader("archive/data/0", 4));
        inner.writeBytes(new byte[4]);
        byte[] aData = inner.toByteArray();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] aLocal = localHeader("archive/data.pkl", aData.length);
        z.writeBytes(aLocal);
        z.writeBytes(aData);
        int cd = z.size();
        byte[] c1 = centralHeader("archive/data.pkl", aData.length, 0);
        byte[] c2 = centralHeader("archive/data/0", 4, aLocal.length);
        z.writeBytes(c1);
        z.writeBytes(c2);
        ByteBuffer e = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0x06054b50)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 2)
                .putShort((short) 2)
                .putInt(c1.length + c2.length)
                .putInt(cd)
                .putShort((short) 0);
        z.writeBytes(e.array());
        assertFails(z.toByteArray(), CorruptModelException.class, "overlaps");
    }

    @Test
    void duplicateAndMissingRecords() {
        byte[] pkl = sample().dataPkl();
        byte[] dup = PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false),
                        new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false)),
                false);
        assertFails(dup, CorruptModelException.class, "duplicate zip entry");
        byte[] two = PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("a/data.pkl", pkl, false),
                        new PytorchWriter.ZipRecord("b/data.pkl", pkl, false)),
                false);
        assertFails(two, CorruptModelException.class, "more than one data.pkl");
        byte[] none = PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/other", pkl, false)), false);
        assertFails(none, CorruptModelException.class, "no <dir>/data.pkl");
        byte[] noStorage =
                PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false)), false);
        assertFails(noStorage, CorruptModelException.class, "has no archive/data/0");
        byte[] shortStorage = PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false),
                        new PytorchWriter.ZipRecord("archive/data/0", new byte[40], false),
                        new PytorchWriter.ZipRecord("archive/data/1", new byte[8], false)),
                false);
        assertFails(shortStorage, CorruptModelException.class, "claims 48 bytes");
        byte[] badOrder = PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false),
                        new PytorchWriter.ZipRecord(
                                "archive/byteorder", "middle".getBytes(StandardCharsets.US_ASCII), false)),
                false);
        assertFails(badOrder, CorruptModelException.class, "byteorder record says 'middle'");
    }

    @Test
    void tensorViewPastItsStorage() {
        PytorchWriter.Builder b = PytorchWriter.builder()
                .storage("0", DType.F32, new double[] {1, 2, 3, 4})
                .tensor("w", "0", 1, new long[] {2, 2}, new long[] {2, 1});
        assertFails(b.zipBytes(), CorruptModelException.class, "reaches byte 20 of a storage of 16 bytes");
        assertFails(b.legacyBytes(), CorruptModelException.class, "reaches byte 20");
        PytorchWriter.Builder huge = PytorchWriter.builder()
                .storage("0", DType.F32, new double[] {1})
                .tensor("w", "0", 0, new long[] {1L << 40, 1L << 40}, new long[] {1L << 40, 1});
        assertFails(huge.zipBytes(), CorruptModelException.class, "implausible size or stride");
    }

    @Test
    void torchScriptTarAndNonsense() {
        byte[] pkl = sample().dataPkl();
        assertFails(
                PytorchWriter.zip(
                        List.of(
                                new PytorchWriter.ZipRecord("m/data.pkl", pkl, false),
                                new PytorchWriter.ZipRecord("m/constants.pkl", pkl, false)),
                        false),
                UnsupportedModelException.class,
                "TorchScript");
        assertFails(
                PytorchWriter.zip(
                        List.of(
                                new PytorchWriter.ZipRecord("m/code/__torch__/m.py", new byte[3], false),
                                new PytorchWriter.ZipRecord("m/data.pkl", pkl, false)),
                        false),
                UnsupportedModelException.class,
                "TorchScript");
        byte[] tar = new TarWriter()
                .member("storages", PytorchWriter.builder().legacyBytes())
                .toByteArray();
        assertFails(tar, UnsupportedModelException.class, "tar-format");
        // "ustar" alone is no tar header to CPython's tarfile (the checksum is wrong): a legacy pickle read
        byte[] notTar = new byte[1024];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, notTar, 257, 5);
        assertFails(notTar, CorruptModelException.class, "not a PyTorch checkpoint");
        assertFails(
                "hello world, not a model".getBytes(StandardCharsets.US_ASCII),
                CorruptModelException.class,
                "not a PyTorch checkpoint");
        assertFails(new byte[0], CorruptModelException.class, "not a PyTorch checkpoint");
    }

    @Test
    void zipBombsAreNeverInflatedPastTheCap() {
        // data.pkl claims 1 GiB inflated: refused before inflating anything.
        byte[] big = PytorchWriter.zip(
                List.of(new PytorchWriter.ZipRecord("archive/data.pkl", new byte[1 << 20], true)), false);
        int c = centralEntries(big).get(0);
        assertFails(
                put32(big, c + 24, 1 << 30),
                UnsupportedModelException.class,
                "more than the 67108864 inflated at most");
        // data.pkl claims 100 bytes but 1 MiB of zeros would come out: inflation stops at 100.
        assertFails(put32(big, c + 24, 100), CorruptModelException.class, "inflates past its declared 100 bytes");
        // A deflated storage record is refused, not inflated.
        byte[] pkl = PytorchWriter.builder()
                .tensor("w", DType.F32, new long[] {4}, new double[] {1, 2, 3, 4})
                .dataPkl();
        byte[] comp = PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false),
                        new PytorchWriter.ZipRecord("archive/data/0", new byte[16], true)),
                false);
        assertFails(comp, UnsupportedModelException.class, "compressed");
        // Garbage deflate stream.
        byte[] garbage = PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/data.pkl", pkl, true)), false);
        int g = centralEntries(garbage).get(0);
        int lho = i32(garbage, g + 42);
        int data = lho + 30 + u16(garbage, lho + 26) + u16(garbage, lho + 28);
        byte[] broken = garbage.clone();
        broken[data] = (byte) 0xFF;
        broken[data + 1] = (byte) 0xFF;
        assertThatThrownBy(() -> open(broken))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(NAME);
    }

    @Test
    void legacyHeaderErrors() {
        byte[] legacy = sample().legacyBytes();
        byte[] magic = legacy.clone();
        magic[5] ^= 1;
        assertFails(magic, CorruptModelException.class, "magic number");
        byte[] proto = new PickleWriter()
                .proto()
                .bigInteger(PytorchCheckpoint.LEGACY_MAGIC)
                .stop()
                .toByteArray();
        byte[] p1000 = new PickleWriter().proto().integer(1000).stop().toByteArray();
        byte[] joined = java.util.Arrays.copyOf(proto, proto.length + p1000.length);
        System.arraycopy(p1000, 0, joined, proto.length, p1000.length);
        assertFails(joined, UnsupportedModelException.class, "protocol 1000");
        // The first storage count claims 2^60 elements.
        int countAt = legacy.length - (8 + 48) - (8 + 8);
        byte[] count = legacy.clone();
        ByteBuffer.wrap(count).order(ByteOrder.LITTLE_ENDIAN).putLong(countAt, 1L << 60);
        assertFails(count, CorruptModelException.class, "claims");
    }
}
