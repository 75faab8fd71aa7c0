package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.format.gguf.GgufReader;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * llama.cpp's tokenizer test data ({@code models/ggml-vocab-*.gguf.inp/.out}): the {@code .inp} file
 * holds texts separated by {@code "\n__ggml_vocab_test__\n"} (the file ends with the separator), the
 * {@code .out} file one line per text with the ids llama.cpp produced (no BOS/EOS, specials not
 * parsed), space separated.
 */
record LlamaCppReference(String vocab, List<String> texts, List<int[]> expected) {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    static LlamaCppReference read(Path dir, String vocab) throws IOException {
        String inp = Files.readString(dir.resolve("ggml-vocab-" + vocab + ".gguf.inp"), StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        if (texts.getLast().isEmpty()) {
            texts.removeLast();
        }
        List<String> lines =
                Files.readAllLines(dir.resolve("ggml-vocab-" + vocab + ".gguf.out"), StandardCharsets.UTF_8);
        List<int[]> expected = new ArrayList<>();
        for (String line : lines) {
            String t = line.strip();
            expected.add(
                    t.isEmpty()
                            ? new int[0]
                            : Arrays.stream(t.split(" +"))
                                    .mapToInt(Integer::parseInt)
                                    .toArray());
        }
        if (expected.size() != texts.size()) {
            throw new IllegalStateException(
                    vocab + ": " + texts.size() + " texts but " + expected.size() + " expected lines");
        }
        return new LlamaCppReference(vocab, List.copyOf(texts), List.copyOf(expected));
    }

    static Encoder encoder(Path gguf) throws Exception {
        try (ModelView view = new GgufReader().open(gguf)) {
            return Encoders.of(view);
        }
    }

    /** Number of texts whose encoding equals the expected ids; prints the first mismatches. */
    int matches(Encoder e, int printLimit) {
        int ok = 0;
        int printed = 0;
        for (int i = 0; i < texts.size(); i++) {
            int[] got = e.encode(texts.get(i));
            if (Arrays.equals(got, expected.get(i))) {
                ok++;
            } else if (printed++ < printLimit) {
                System.out.println("  " + vocab + " #" + i + " " + escape(texts.get(i)) + "\n    want "
                        + Arrays.toString(expected.get(i)) + "\n    got  " + Arrays.toString(got) + "\n    pieces "
                        + e.encodeToPieces(texts.get(i)));
            }
        }
        return ok;
    }

    static String escape(String s) {
        String t = s.replace("\n", "\\n").replace("\t", "\\t");
        return "\"" + (t.length() > 80 ? t.substring(0, 77) + "..." : t) + "\"";
    }
}
