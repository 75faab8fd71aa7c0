package dev.pedigree.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.UnsupportedModelException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The interface's default for byte sources: a reader that needs a local file refuses, and the source is closed. */
class ModelReaderTest {

    /** A byte source that remembers being closed. */
    private static final class Recording implements ByteSource {
        boolean closed;

        @Override
        public String description() {
            return "https://hub/x/model.onnx";
        }

        @Override
        public long size() {
            return 0;
        }

        @Override
        public MemorySegment slice(long offset, long length) {
            return MemorySegment.NULL;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void byteSourcesAreRefusedNamingTheSourceAndClosed() {
        ModelReader localOnly = new ModelReader() {
            @Override
            public String name() {
                return "onnx";
            }

            @Override
            public int probe(Path file, byte[] head) {
                return 0;
            }

            @Override
            public ModelView open(Path file) {
                throw new UnsupportedOperationException();
            }
        };
        Recording src = new Recording();
        assertThatThrownBy(() -> localOnly.open(src, ArchitectureHints.NONE))
                .isInstanceOfSatisfying(
                        UnsupportedModelException.class,
                        e -> assertThat(e.offset()).isZero())
                .hasMessageContaining("https://hub/x/model.onnx")
                .hasMessageContaining("remote onnx files are not supported yet");
        assertThat(src.closed).isTrue();
    }
}
