package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.format.tokenizers.encode.Encoders;
import dev.pedigree.io.UnsupportedModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokenizer package's own routes (the {@code tokens} command) name a Git LFS pointer as such. */
class GitLfsPointerTokenizerTest {
    private static final String POINTER = """
            version https://git-lfs.github.com/spec/v1
            oid sha256:9e556afd44213b6bd1be2b850ebbbd98f5481437a8021afaf58ee7fb1818d347
            size 499723
            """;

    @TempDir
    Path dir;

    @Test
    void aPointerTokenizerFileOrDirectoryIsNamed() throws Exception {
        Path file = dir.resolve("tokenizer.model");
        Files.writeString(file, POINTER);
        for (Path p : new Path[] {file, dir}) {
            assertThatThrownBy(() -> Tokenizers.read(p))
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageStartingWith("this is a Git LFS pointer, not the model")
                    .hasMessageContaining(file.toString());
            assertThatThrownBy(() -> Encoders.forTokenizer(p))
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageStartingWith("this is a Git LFS pointer, not the model");
        }
    }
}
