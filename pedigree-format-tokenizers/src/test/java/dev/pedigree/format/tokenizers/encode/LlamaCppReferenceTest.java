package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Encodes llama.cpp's tokenizer test texts with each GGUF vocabulary present and compares ids. */
class LlamaCppReferenceTest {
    /** Exact matches achieved per vocabulary (of 46 texts each); the test fails if any drops. */
    static final Map<String, Integer> ACHIEVED = new TreeMap<>(Map.of(
            "bert-bge",
            46,
            "deepseek-coder",
            46,
            "deepseek-llm",
            46,
            "falcon",
            46,
            "gpt-2",
            46,
            "llama-spm",
            46,
            "mpt",
            46,
            "phi-3",
            46,
            "refact",
            46,
            "starcoder",
            46));

    @Test
    void matchesLlamaCppReferenceIds() throws Exception {
        Path dir = SharedFixtures.file("gguf-vocab");
        Map<String, String> table = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path inp : files.filter(p -> p.toString().endsWith(".gguf.inp"))
                    .sorted()
                    .toList()) {
                String name = inp.getFileName().toString();
                String vocab = name.substring("ggml-vocab-".length(), name.length() - ".gguf.inp".length());
                Path gguf = dir.resolve("ggml-vocab-" + vocab + ".gguf");
                if (!Files.exists(gguf)) {
                    table.put(vocab, "not run (vocab file absent)");
                    continue;
                }
                LlamaCppReference ref = LlamaCppReference.read(dir, vocab);
                Encoder e = LlamaCppReference.encoder(gguf);
                int ok = ref.matches(e, 4);
                table.put(vocab, ok + "/" + ref.texts().size() + "  " + e.description());
                Integer floor = ACHIEVED.get(vocab);
                if (floor != null) {
                    assertThat(ok).as(vocab).isGreaterThanOrEqualTo(floor);
                }
            }
        }
        System.out.println("llama.cpp reference tokenisations, exact matches per vocabulary:");
        table.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    }
}
