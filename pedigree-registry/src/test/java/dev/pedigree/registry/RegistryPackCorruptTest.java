package dev.pedigree.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken packs are refused with the pack and entry named; a seeded fuzz of pack bytes never escapes as another exception. */
class RegistryPackCorruptTest {

    static Path zip(Path file, String... namesAndContents) throws Exception {
        try (OutputStream os = Files.newOutputStream(file);
                ZipOutputStream z = new ZipOutputStream(os)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return file;
    }

    @Test
    void brokenPacksAreNamed(@TempDir Path dir) throws Exception {
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            Path notZip = dir.resolve("text.zip");
            Files.writeString(notZip, "hello");
            assertThatThrownBy(() -> r.importPack(notZip))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("text.zip");
            Path noManifest = zip(dir.resolve("nomani.zip"), "x.txt", "1");
            assertThatThrownBy(() -> r.importPack(noManifest))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("no manifest.json");
            Path badJson = zip(dir.resolve("badjson.zip"), "manifest.json", "{not json");
            assertThatThrownBy(() -> r.importPack(badJson))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("manifest.json");
            Path otherSchema = zip(
                    dir.resolve("schema.zip"), "manifest.json", "{\"schema\": \"something/else\", \"entries\": []}");
            assertThatThrownBy(() -> r.importPack(otherSchema))
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("something/else");
            Path missing = zip(
                    dir.resolve("missing.zip"),
                    "manifest.json",
                    "{\"schema\": \"pedigree/registry-pack/v1\", \"entries\": [{\"name\": \"a\", \"file\": \"fingerprints/00000.pfp\", \"sha256\": \"00\"}]}");
            assertThatThrownBy(() -> r.importPack(missing))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("fingerprints/00000.pfp")
                    .hasMessageContaining("missing");
            assertThat(r.size()).isZero();
        }
    }

    static Path realPack(Path dir) throws Exception {
        Path pack = dir.resolve("real.zip");
        try (Registry r = Registry.open(dir.resolve("src.db"))) {
            r.add(RegistryTest.small(1), ModelMetadata.named("alpha"));
            r.add(RegistryTest.small(2), ModelMetadata.named("beta"));
            r.exportPack(pack);
        }
        return pack;
    }

    @Test
    void aTruncatedPackIsOneLineNamingThePackAndTheEntry(@TempDir Path dir) throws Exception {
        byte[] ok = Files.readAllBytes(realPack(dir));
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            for (int cut : new int[] {ok.length / 3, ok.length / 2, ok.length - 30}) {
                Path f = dir.resolve("cut.zip");
                Files.write(f, Arrays.copyOf(ok, cut));
                assertThatThrownBy(() -> r.importPack(f))
                        .isInstanceOf(CorruptModelException.class)
                        .hasMessageContaining(f.toString())
                        .hasMessageNotContaining("\n")
                        .satisfies(e -> assertThat(e.getMessage())
                                .containsAnyOf("the pack is truncated: it ends", "not a valid zip pack"))
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Unexpected end of ZLIB"));
            }
            assertThat(r.size()).isZero();
        }
    }

    @Test
    void aTruncationInsideAnEntryNamesThatEntry(@TempDir Path dir) throws Exception {
        byte[] ok = Files.readAllBytes(realPack(dir));
        // the second local header is the first fingerprint: cut a few bytes after it
        int second = indexOf(ok, new byte[] {'P', 'K', 3, 4}, 4);
        Path f = dir.resolve("cut.zip");
        Files.write(f, Arrays.copyOf(ok, second + 120));
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            assertThatThrownBy(() -> r.importPack(f))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("the pack is truncated: it ends inside entry fingerprints/00000.pfp")
                    .hasMessageContaining(f + "!/fingerprints/00000.pfp at offset " + (second + 120));
        }
    }

    static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (b[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aZipBombIsRefusedBeforeItIsHeld(@TempDir Path dir) throws Exception {
        Path bomb = dir.resolve("bomb.zip");
        try (OutputStream os = Files.newOutputStream(bomb);
                ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry("manifest.json"));
            z.write("{}".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("fingerprints/00000.pfp"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        }
        assertThat(Files.size(bomb)).isLessThan(200_000);
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            assertThatThrownBy(() -> r.importPack(bomb))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(bomb + "!/fingerprints/00000.pfp")
                    .hasMessageContaining("inflates more than 100 times its compressed size");
        }
    }

    @Test
    void aPackLargerThanItsTotalCapIsRefused(@TempDir Path dir) throws Exception {
        Path pack = realPack(dir);
        long size = 0;
        for (RegistryPack.Item it : RegistryPack.read(pack)) {
            size += it.bytes().length;
        }
        long cap = size / 2;
        assertThatThrownBy(() -> RegistryPack.read(pack, cap))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("the pack inflates to more than");
        assertThat(RegistryPack.maxTotalBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    }

    @Test
    void aDamagedEntryNamesIt(@TempDir Path dir) throws Exception {
        byte[] b = Files.readAllBytes(realPack(dir));
        int second = indexOf(b, new byte[] {'P', 'K', 3, 4}, 4);
        b[second + 200] ^= 0x55; // inside the deflated fingerprint
        Path f = dir.resolve("damaged.zip");
        Files.write(f, b);
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            assertThatThrownBy(() -> r.importPack(f))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(f + "!/fingerprints/00000.pfp");
        }
    }

    @Test
    void seededPackFuzz(@TempDir Path dir) throws Exception {
        Path pack = dir.resolve("pack.zip");
        try (Registry r = Registry.open(dir.resolve("a.db"))) {
            r.add(RegistryTest.small(1), ModelMetadata.named("alpha"));
            r.exportPack(pack);
        }
        byte[] ok = Files.readAllBytes(pack);
        SplittableRandom rnd = new SplittableRandom(77);
        int imported = 0;
        int refused = 0;
        try (Registry r = Registry.open(dir.resolve("b.db"))) {
            for (int i = 0; i < 500; i++) {
                byte[] b = ok.clone();
                if (rnd.nextBoolean()) {
                    for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                        b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                    }
                } else {
                    b = Arrays.copyOf(b, rnd.nextInt(b.length));
                }
                Path f = dir.resolve("fuzz.zip");
                Files.write(f, b);
                try {
                    r.importPack(f);
                    imported++;
                } catch (ModelFormatException | RegistryException e) {
                    assertThat(e.getMessage()).contains(f.toString());
                    refused++;
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "pack fuzz: 500 cases, %d imported (or skipped as present), %d refused%n",
                imported,
                refused);
        assertThat(imported + refused).isEqualTo(500);
        // a floor on typed rejections: damaged packs must not import
        assertThat(refused).isGreaterThanOrEqualTo(450);
    }
}
