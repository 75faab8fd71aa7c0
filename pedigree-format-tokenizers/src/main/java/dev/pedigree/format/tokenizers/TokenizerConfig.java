package dev.pedigree.format.tokenizers;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFolder;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.json.JsonCursor;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code added_tokens_decoder} of a {@code tokenizer_config.json}
 * ({@code {"<id>": {"content": ..., "special": ...}, ...}}), which names the special tokens of
 * directories whose main tokenizer file cannot ({@code vocab.json}, {@code tokenizer.model}).
 * Stateless and thread-safe.
 */
final class TokenizerConfig {
    private TokenizerConfig() {}

    /** Lays the config's added tokens over {@code base}; returns {@code base} when the file is absent or has none. */
    static Vocabulary overlay(Vocabulary base, Path config) throws IOException, ModelFormatException {
        if (!Files.isRegularFile(config)) {
            return base;
        }
        ModelFolder.inside(config.toAbsolutePath().getParent(), config);
        try (ByteSource in = ByteSource.map(config)) {
            return AddedToken.overlay(base, addedTokensDecoder(in), in.description());
        }
    }

    /** The entries of {@code added_tokens_decoder}, in file order; empty if the key is absent. */
    static List<AddedToken> addedTokensDecoder(ByteSource in) throws IOException, ModelFormatException {
        List<AddedToken> out = new ArrayList<>();
        try (JsonCursor c = JsonCursor.open(in, "tokenizer_config.json")) {
            c.next("tokenizer_config.json");
            c.expect(JsonToken.START_OBJECT, "tokenizer_config.json top level");
            while (c.next("tokenizer_config.json") == JsonToken.FIELD_NAME) {
                String name = c.name();
                c.next(name);
                if (name.equals("added_tokens_decoder") && c.current() != JsonToken.VALUE_NULL) {
                    readDecoder(c, out);
                } else {
                    c.skipValue(name);
                }
            }
            c.expectEnd();
        }
        return out;
    }

    private static void readDecoder(JsonCursor c, List<AddedToken> out) throws CorruptModelException {
        c.expect(JsonToken.START_OBJECT, "added_tokens_decoder");
        while (c.next("added_tokens_decoder") == JsonToken.FIELD_NAME) {
            long at = c.offset();
            String key = c.name();
            int id;
            try {
                id = Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw c.corruptAt(
                        at, "added_tokens_decoder key '" + TokenizerJsonReader.abbreviate(key) + "' is not an id");
            }
            if (id < 0) {
                throw c.corruptAt(at, "added_tokens_decoder id " + id + " is negative");
            }
            c.next("added_tokens_decoder entry");
            c.expect(JsonToken.START_OBJECT, "added_tokens_decoder entry");
            JsonNode n = c.tree("added_tokens_decoder entry", TokenizerJsonReader.Trees.MAPPER);
            JsonNode content = n.get("content");
            if (content == null || !content.isTextual() || content.textValue().isEmpty()) {
                throw c.corruptAt(at, "added_tokens_decoder entry " + id + " has no \"content\" string");
            }
            out.add(new AddedToken(id, content.textValue(), n.path("special").asBoolean(false), at));
        }
    }
}
