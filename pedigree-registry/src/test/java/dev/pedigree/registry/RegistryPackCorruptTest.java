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
                } catch (ModelFormatException | java.io.IOException e) {
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
    }
}
