package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.format.pytorch.HostilePickleCorpus.Path;
import dev.pedigree.format.pytorch.HostilePickleCorpus.Payload;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated hostile inputs (issue 18): every global of {@link HostilePickleCorpus} through every
 * opcode path and protocol, alone and inside each place {@code torch.load} unpickles from (a zip
 * checkpoint's data.pkl, each pickle of a legacy stream, a bare pickle file of any protocol, the
 * members of a tar checkpoint in ustar, V7, GNU long-name, pax and hard-link form, and a file that
 * is both a V7 tar and a clean legacy stream). Each must be refused as unsafe, naming the global,
 * the opcode and the absolute offset.
 */
@Timeout(120)
class HostilePickleCorpusTest {
    static final String FILE = "corpus.pt";

    static Stream<Payload> payloads() {
        return HostilePickleCorpus.all().stream();
    }

    static String expected(Payload p) {
        return "refused global " + p.qualified() + " (";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("payloads")
    void everyPathToAGlobalIsRefusedByName(Payload p) {
        assertThatThrownBy(() -> RestrictedUnpickler.load("corpus.pkl", p.bytes()))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining(expected(p))
                .hasMessageContaining("via " + p.via() + ")")
                .satisfies(e -> assertThat(((ModelFormatException) e).offset()).isEqualTo(p.at()));
    }

    @Test
    void corpusIsLargeAndCoversEveryPathAndProtocol() {
        List<Payload> all = HostilePickleCorpus.all();
        assertThat(all).hasSizeGreaterThanOrEqualTo(600);
        assertThat(all.stream().map(Payload::via).distinct())
                .containsExactlyInAnyOrder("GLOBAL", "INST", "STACK_GLOBAL");
        assertThat(all.stream().map(p -> p.path().name().substring(0, 2)).distinct())
                .containsExactlyInAnyOrder("P0", "P1", "P2", "P3", "P4", "P5");
    }

    /** A few globals through every path, inside every container: enough to cover each pair fast. */
    static Stream<Payload> sample() {
        return Stream.of(new String[] {"os", "system"}, new String[] {"builtins", "eval"}, new String[] {
                    "mypkg.evil", "Thing"
                })
                .flatMap(g -> Stream.of(Path.values()).map(p -> HostilePickleCorpus.build(p, g[0], g[1])));
    }

    static ModelFormatException openBytes(String name, byte[] b) {
        try (ByteSource src = ByteSource.ofBytes(name, b)) {
            new PytorchReader().tensors(src, ArchitectureHints.NONE);
        } catch (ModelFormatException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError(name + " was read");
    }

    static void assertRefused(ModelFormatException e, Payload p, long offset) {
        assertThat(e).isInstanceOf(UnsafeModelException.class);
        assertThat(e.getMessage()).contains(expected(p)).contains("via " + p.via());
        assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void insideAZipCheckpoint(Payload p) throws Exception {
        byte[] zip =
                PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/data.pkl", p.bytes(), false)), false);
        long dataAt = ZipDirectory.read(ByteSource.ofBytes(FILE, zip))
                .entry("archive/data.pkl")
                .orElseThrow()
                .dataOffset();
        assertRefused(openBytes(FILE, zip), p, dataAt + p.at());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void asABarePickleFileOfAnyProtocol(Payload p, @TempDir java.nio.file.Path tmp) throws Exception {
        for (String name : List.of("payload.pkl", "payload.bin", "payload")) {
            java.nio.file.Path f = tmp.resolve(name);
            Files.write(f, p.bytes());
            PytorchReader reader = new PytorchReader();
            // torch.load / pickle.load unpickle such a file; the reader must claim it ...
            assertThat(reader.probe(f, p.bytes())).as(name).isPositive();
            // ... and refuse it by the global's name
            assertThatThrownBy(() -> reader.open(f))
                    .isInstanceOf(UnsafeModelException.class)
                    .hasMessageContaining(expected(p))
                    .satisfies(
                            e -> assertThat(((ModelFormatException) e).offset()).isEqualTo(p.at()));
        }
    }

    /** The five pickles of a clean legacy stream and its raw tail. */
    static List<byte[]> legacyParts() throws Exception {
        byte[] legacy = clean().legacyBytes();
        List<byte[]> parts = new ArrayList<>();
        long pos = 0;
        for (int i = 0; i < 5; i++) {
            RestrictedUnpickler u = new RestrictedUnpickler(
                    "x",
                    MemorySegment.ofArray(legacy).asSlice(pos),
                    pos,
                    UnpicklerLimits.DEFAULT,
                    RestrictedUnpickler.PersistentIds.LEGACY);
            u.load();
            parts.add(java.util.Arrays.copyOfRange(legacy, (int) pos, (int) (pos + u.position())));
            pos += u.position();
        }
        parts.add(java.util.Arrays.copyOfRange(legacy, (int) pos, legacy.length));
        return parts;
    }

    static PytorchWriter.Builder clean() {
        return PytorchWriter.builder().tensor("w", DType.F32, new long[] {2, 2}, new double[] {1, 2, 3, 4});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void inEachPickleOfALegacyStream(Payload p) throws Exception {
        List<byte[]> parts = legacyParts();
        for (int k = 0; k < 5; k++) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int offset = 0;
            for (int i = 0; i < parts.size(); i++) {
                if (i == k) {
                    offset = b.size();
                    b.writeBytes(p.bytes());
                } else {
                    b.writeBytes(parts.get(i));
                }
            }
            assertRefused(openBytes(FILE, b.toByteArray()), p, offset + p.at());
        }
    }

    /** A clean {@code storages} member with no storages and no views (as a pre-0.4 torch wrote it). */
    static byte[] emptyStorages() {
        return RestrictedUnpicklerTest.p(0x80, 2, 'K', 0, '.', 0x80, 2, ']', '.');
    }

    static byte[] emptyTensors() {
        return RestrictedUnpicklerTest.p(0x80, 2, 'K', 0, '.');
    }

    /** Archives with the payload in one of the members torch's tar loader unpickles, in every header form. */
    static List<Object[]> tarCases(Payload p) {
        byte[] x = p.bytes();
        List<Object[]> out = new ArrayList<>();
        out.add(new Object[] {
            "ustar storages", new TarWriter().member("storages", x).toByteArray(), 512
        });
        out.add(new Object[] {
            "V7 storages", new TarWriter().v7().member("storages", x).toByteArray(), 512
        });
        out.add(new Object[] {
            "tensors",
            new TarWriter()
                    .member("storages", emptyStorages())
                    .member("tensors", x)
                    .toByteArray(),
            1536
        });
        out.add(new Object[] {
            "pickle",
            new TarWriter()
                    .member("storages", emptyStorages())
                    .member("tensors", emptyTensors())
                    .member("pickle", x)
                    .toByteArray(),
            2560
        });
        out.add(new Object[] {
            "GNU long name",
            new TarWriter().gnuLongName("storages", "innocent.txt", x).toByteArray(),
            1536
        });
        out.add(new Object[] {
            "pax path", new TarWriter().paxPath("storages", "innocent.txt", x).toByteArray(), 1536
        });
        out.add(new Object[] {
            "hard link",
            new TarWriter().member("data", x).hardLink("storages", "data").toByteArray(),
            512
        });
        out.add(new Object[] {
            "./storages", new TarWriter().member("./storages", x).toByteArray(), 512
        });
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void inTheMembersATarCheckpointUnpickles(Payload p) {
        for (Object[] c : tarCases(p)) {
            ModelFormatException e = openBytes(FILE, (byte[]) c[1]);
            assertThat(e.getMessage()).as((String) c[0]).contains("in tar member");
            assertRefused(e, p, (int) c[2] + p.at());
        }
    }

    /**
     * The polyglot: bytes 0-511 are a V7 tar header (valid checksum, no ustar magic) and
     * the start of a clean legacy stream, whose sys_info dict holds the rest of the tar as a bytes
     * value; the tar's {@code storages} member carries the payload.
     */
    static byte[] polyglot(byte[] storagesMember, boolean memberListLoads) throws Exception {
        List<byte[]> parts = legacyParts();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(parts.get(0));
        b.writeBytes(parts.get(1));
        b.writeBytes(RestrictedUnpicklerTest.p(0x80, 2, '}', '(', 'X', 13, 0, 0, 0, "little_endian", 0x88));
        b.writeBytes(RestrictedUnpicklerTest.p('X', 3, 0, 0, 0, "pad", 'B'));
        int lengthAt = b.size();
        b.writeBytes(new byte[4]);
        int contentStart = b.size();
        byte[] rest = new TarWriter().member("storages", storagesMember).toByteArray();
        if (!memberListLoads) {
            // the storages member claims more data than the file holds: tarfile raises ReadError
            // while it loads the member list, and torch falls back to the legacy stream
            byte[] h = TarWriter.header("storages", '0', "", 1L << 30, true);
            System.arraycopy(h, 0, rest, 0, 512);
        }
        byte[] file = new byte[512 + rest.length];
        byte[] head = b.toByteArray();
        System.arraycopy(head, 0, file, 0, head.length);
        TarWriter.put(file, 100, "0000644", 8);
        TarWriter.put(file, 108, "0000000", 8);
        TarWriter.put(file, 116, "0000000", 8);
        TarWriter.put(file, 124, "00000000000", 12);
        TarWriter.put(file, 136, "00000000000", 12);
        file[156] = '0';
        System.arraycopy(rest, 0, file, 512, rest.length);
        int len = file.length - contentStart;
        for (int i = 0; i < 4; i++) {
            file[lengthAt + i] = (byte) (len >>> (8 * i));
        }
        TarWriter.checksum(file, 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(file);
        out.writeBytes(RestrictedUnpicklerTest.p('u', '.'));
        out.writeBytes(parts.get(3));
        out.writeBytes(parts.get(4));
        out.writeBytes(parts.get(5));
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void tarLegacyPolyglotIsJudgedByTheTarLoader(Payload p) throws Exception {
        byte[] poly = polyglot(p.bytes(), true);
        // the bytes are a clean legacy stream ...
        assertThat(PytorchCheckpoint.readLegacy(
                                ByteSource.ofBytes(FILE, poly), ArchitectureHints.NONE, UnpicklerLimits.DEFAULT)
                        .tensors())
                .hasSize(1);
        // ... and a tar archive to CPython's tarfile, which torch.load tries first
        assertThat(TarArchive.examine(ByteSource.ofBytes(FILE, poly)).kind()).isEqualTo(TarArchive.Kind.TAR);
        assertThat(new PytorchReader().probe(java.nio.file.Path.of(FILE), poly)).isPositive();
        ModelFormatException e = openBytes(FILE, poly);
        assertRefused(e, p, 1024 + p.at());
        assertThat(e.getMessage()).contains("in tar member 'storages'");
    }

    @Test
    void cleanPolyglotIsNeverReadAsTheLegacyStreamItAlsoIs() throws Exception {
        byte[] poly = polyglot(emptyStorages(), true);
        ModelFormatException e = openBytes(FILE, poly);
        assertThat(e).isInstanceOf(UnsupportedModelException.class);
        assertThat(e.getMessage()).contains("tar-format torch checkpoint");
    }

    @Test
    void aTarWhoseMemberListFailsFallsBackToTheLegacyStreamAsTorchDoes() throws Exception {
        byte[] poly = polyglot(
                HostilePickleCorpus.build(Path.P0_GLOBAL_REDUCE, "os", "system").bytes(), false);
        assertThat(TarArchive.examine(ByteSource.ofBytes(FILE, poly)).kind()).isEqualTo(TarArchive.Kind.NOT_TAR);
        try (ByteSource src = ByteSource.ofBytes(FILE, poly)) {
            assertThat(new PytorchReader().tensors(src, ArchitectureHints.NONE)).hasSize(1);
        }
    }

    @Test
    void unfollowedTarFeaturesAreNeverAccepted() throws Exception {
        byte[] sparse =
                new TarWriter().entry("storages", 'S', "", emptyStorages()).toByteArray();
        assertThat(TarArchive.examine(ByteSource.ofBytes(FILE, sparse)).kind()).isEqualTo(TarArchive.Kind.UNFOLLOWED);
        assertThat(openBytes(FILE, sparse)).isInstanceOf(UnsupportedModelException.class);
        // a tar member torch never unpickles is not scanned, but the file is still not accepted
        byte[] other = new TarWriter()
                .member(
                        "README",
                        HostilePickleCorpus.build(Path.P2_GLOBAL_REDUCE, "os", "system")
                                .bytes())
                .toByteArray();
        assertThat(openBytes(FILE, other)).isInstanceOf(UnsupportedModelException.class);
    }

    @Test
    void pythonTarHeaderRules() {
        byte[] h = TarWriter.header("storages", '0', "", 0, false);
        assertThat(TarArchive.startsWithHeader(h)).isTrue();
        byte[] bad = h.clone();
        bad[0] ^= 1;
        assertThat(TarArchive.startsWithHeader(bad)).as("checksum").isFalse();
        byte[] badMode = h.clone();
        TarWriter.put(badMode, 100, "0009", 4); // not octal: InvalidHeaderError
        TarWriter.checksum(badMode, 0);
        assertThat(TarArchive.startsWithHeader(badMode)).isFalse();
        byte[] spaces = h.clone();
        TarWriter.put(spaces, 100, "  644  ", 8); // int(s.strip(), 8) accepts surrounding spaces
        TarWriter.checksum(spaces, 0);
        assertThat(TarArchive.startsWithHeader(spaces)).isTrue();
        byte[] base256 = h.clone();
        base256[124] = (byte) 0x80; // base-256 size field
        java.util.Arrays.fill(base256, 125, 136, (byte) 0);
        TarWriter.checksum(base256, 0);
        assertThat(TarArchive.startsWithHeader(base256)).isTrue();
        assertThat(TarArchive.startsWithHeader(new byte[512])).as("zero block").isFalse();
        assertThat(LegacyTarCheckpoint.normalise("./a//storages/")).isEqualTo("a/storages");
        assertThat(LegacyTarCheckpoint.normalise("x/../storages")).isEqualTo("storages");
    }
}
