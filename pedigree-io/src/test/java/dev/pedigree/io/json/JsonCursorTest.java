package dev.pedigree.io.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonToken;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one set of limits, and errors that name the file and the absolute offset of the offending token. */
class JsonCursorTest {

    private static CorruptModelException corrupt(String json, long base) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> {
            try (JsonCursor c = JsonCursor.over("f.json", json.getBytes(StandardCharsets.UTF_8), base)) {
                while (c.next() != null) {
                    if (c.current() == JsonToken.VALUE_STRING || c.current() == JsonToken.VALUE_NUMBER_INT) {
                        c.text();
                    }
                }
            }
        });
        assertThat(t).as(json.length() > 60 ? json.substring(0, 60) : json).isInstanceOf(CorruptModelException.class);
        CorruptModelException e = (CorruptModelException) t;
        assertThat(e.source()).isEqualTo("f.json");
        return e;
    }

    @Test
    void nestingDeeperThanTheLimitIsCorruptAtTheOffendingBracket() {
        String ok = "[".repeat(JsonLimits.MAX_DEPTH) + "]".repeat(JsonLimits.MAX_DEPTH);
        assertThat(parses(ok)).isTrue();
        CorruptModelException e = corrupt("[".repeat(JsonLimits.MAX_DEPTH + 1), 100);
        assertThat(e.getMessage()).contains("nesting depth");
        assertThat(e.offset()).isEqualTo(100 + JsonLimits.MAX_DEPTH);
    }

    @Test
    void duplicateKeysLongNumbersAndBadSyntaxAreCorrupt() {
        assertThat(corrupt("{\"a\":1,\"a\":2}", 8).getMessage()).contains("Duplicate field 'a'");
        assertThat(corrupt("[" + "9".repeat(JsonLimits.MAX_NUMBER_LENGTH + 1) + "]", 0)
                        .getMessage())
                .contains("Number value length");
        CorruptModelException bad = corrupt("{\"a\" 1}", 8);
        assertThat(bad.getMessage()).startsWith("malformed JSON");
        assertThat(bad.offset()).isEqualTo(8 + 5);
        assertThat(corrupt("\"\\u12", 0).getMessage()).contains("malformed JSON");
    }

    @Test
    void longKeysAreCorrupt() {
        String key = "k".repeat(JsonLimits.MAX_NAME_LENGTH + 1);
        assertThat(corrupt("{\"" + key + "\":1}", 0).getMessage()).contains("Name length");
    }

    @Test
    void unexpectedTokensAreNamedAtTheirOffset() throws ModelFormatException {
        try (JsonCursor c = JsonCursor.over("f.json", "  {\"shape\": \"x\"}".getBytes(StandardCharsets.UTF_8), 8)) {
            c.expectNext(JsonToken.START_OBJECT, "header");
            c.next("header");
            assertThat(c.name()).isEqualTo("shape");
            c.next("shape");
            assertThatThrownBy(() -> c.expect(JsonToken.START_ARRAY, "shape"))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("shape: expected an array, found a string")
                    .hasMessageContaining("f.json at offset " + (8 + 12));
            assertThatThrownBy(() -> c.nonNegativeLong("size"))
                    .hasMessageContaining("size must be a non-negative integer, found a string");
            c.next("header");
            assertThatThrownBy(() -> c.next("header"))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("JSON ends inside header");
        }
    }

    @Test
    void filesLargerThanTheLimitAreRefusedUnread(@TempDir Path dir) throws Exception {
        Path big = dir.resolve("big.json");
        try (var ch = java.nio.channels.FileChannel.open(
                big, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {' '}), JsonLimits.MAX_DOCUMENT_BYTES); // sparse
        }
        try (ByteSource src = ByteSource.map(big)) {
            assertThatThrownBy(() -> JsonCursor.open(src, "tokenizer.json"))
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("big.json")
                    .hasMessageContaining("tokenizer.json of " + (JsonLimits.MAX_DOCUMENT_BYTES + 1) + " bytes");
        }
        Path small = dir.resolve("small.json");
        Files.writeString(small, "{\"n\": 7}");
        try (ByteSource src = ByteSource.map(small);
                JsonCursor c = JsonCursor.open(src, "config")) {
            c.expectNext(JsonToken.START_OBJECT, "config");
            c.next("config");
            c.next("n");
            assertThat(c.nonNegativeInt("n")).isEqualTo(7);
            c.next("config");
            c.expectEnd();
        }
    }

    private static boolean parses(String json) {
        try (JsonCursor c = JsonCursor.over("f.json", json.getBytes(StandardCharsets.UTF_8), 0)) {
            while (c.next() != null) {}
            return true;
        } catch (CorruptModelException e) {
            return false;
        }
    }
}
