package dev.pedigree.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitLfsPointerTest {
    /** A pointer as `git lfs pointer --file model.safetensors` writes it (spec v1). */
    static final String POINTER = """
            version https://git-lfs.github.com/spec/v1
            oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
            size 133466304
            """;

    @TempDir
    Path dir;

    @Test
    void parsesTheSpecificationsPointer() {
        GitLfsPointer p =
                GitLfsPointer.parse(POINTER.getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(p.oid()).isEqualTo("sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393");
        assertThat(p.size()).isEqualTo(133_466_304L);
        assertThat(p.explanation())
                .startsWith("this is a Git LFS pointer, not the model")
                .contains("133,466,304 bytes")
                .contains("git lfs pull");
    }

    @Test
    void legacyPointersAndPointersWithoutSizeAreStillPointers() {
        byte[] legacy = "version https://hawser.github.com/spec/v1\noid sha256:ab\n".getBytes(StandardCharsets.UTF_8);
        assertThat(GitLfsPointer.parse(legacy))
                .hasValueSatisfying(p -> assertThat(p.size()).isEqualTo(-1));
    }

    @Test
    void otherSmallFilesAndAnythingOfAKilobyteOrMoreAreNotPointers() {
        assertThat(GitLfsPointer.parse("{\"version\": \"1.0\"}".getBytes(StandardCharsets.UTF_8)))
                .isEmpty();
        assertThat(GitLfsPointer.parse(new byte[0])).isEmpty();
        byte[] big = Arrays.copyOf(POINTER.getBytes(StandardCharsets.UTF_8), GitLfsPointer.MAX_BYTES);
        Arrays.fill(big, POINTER.length(), big.length, (byte) ' ');
        assertThat(GitLfsPointer.parse(big)).isEmpty();
    }

    @Test
    void refusesAFileOrSourceThatIsAPointerAndPassesOthersWithoutReadingThem() throws Exception {
        Path f = dir.resolve("model.safetensors");
        Files.writeString(f, POINTER);
        assertThatThrownBy(() -> GitLfsPointer.refuse(f))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith("this is a Git LFS pointer, not the model")
                .hasMessageContaining(f.toString());
        try (ByteSource s = ByteSource.map(f)) {
            assertThatThrownBy(() -> GitLfsPointer.refuse(s)).isInstanceOf(UnsupportedModelException.class);
        }
        Path other = dir.resolve("weights.bin");
        Files.write(other, new byte[4096]);
        assertThatCode(() -> GitLfsPointer.refuse(other)).doesNotThrowAnyException();
    }
}
