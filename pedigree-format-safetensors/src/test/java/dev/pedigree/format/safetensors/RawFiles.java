package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Builds safetensors files byte by byte, for tests that need headers no writer would produce. */
final class RawFiles {
    private RawFiles() {}

    /** {@code u64 N | json | data}, the JSON padded with spaces to a multiple of 8. */
    static byte[] file(String json, byte[] data) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        int n = (j.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + n + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(n).put(j);
        for (int i = j.length; i < n; i++) {
            b.put((byte) ' ');
        }
        return b.put(data).array();
    }

    /** A file with {@code dataBytes} zero bytes of data. */
    static byte[] file(String json, int dataBytes) {
        return file(json, new byte[dataBytes]);
    }

    /** {@code u64 n | rest} with an arbitrary length field. */
    static byte[] withLength(long n, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(n)
                .put(rest)
                .array();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /**
     * Opens and reads every tensor fully (values and stored-byte hash); tensors of dtypes Pedigree
     * does not decode must refuse their values with {@link UnsupportedModelException}. Returns the
     * tensor count.
     */
    static int openAndReadAll(Path file) throws IOException, ModelFormatException {
        return readAll(new SafetensorsReader().open(file));
    }

    /** As {@link #openAndReadAll(Path)}, for bytes held in memory under the name {@code description}. */
    static int openAndReadAll(String description, byte[] bytes) throws IOException, ModelFormatException {
        return readAll(new SafetensorsReader().open(ByteSource.ofBytes(description, bytes), ArchitectureHints.NONE));
    }

    private static int readAll(ModelView view) throws IOException, ModelFormatException {
        try (ModelView v = view) {
            for (TensorRef t : v.tensors()) {
                TensorHashes.storedSha256(t);
                if (t.dtype().decodable()) {
                    t.readAll();
                } else {
                    assertThat(catchThrowable(t::readAll)).isInstanceOf(UnsupportedModelException.class);
                }
            }
            return v.tensors().size();
        }
    }

    /**
     * Asserts that {@code call} throws {@code type} whose message names {@code file}'s name and an
     * offset that the exception also reports; returns it for further checks.
     */
    static <T extends ModelFormatException> T assertFails(Class<T> type, Path file, ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("exception for %s", file.getFileName()).isInstanceOf(type);
        T e = type.cast(t);
        assertThat(e.getMessage()).contains(file.getFileName().toString());
        assertThat(e.offset()).as("offset of: %s", e.getMessage()).isGreaterThanOrEqualTo(0);
        assertThat(e.getMessage()).contains("at offset " + e.offset());
        return e;
    }
}
