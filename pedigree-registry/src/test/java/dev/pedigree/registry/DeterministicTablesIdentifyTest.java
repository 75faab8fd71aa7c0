package dev.pedigree.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.FormulaTables;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.Component;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code identify} leaves deterministic tables (sinusoidal positions, causal masks, position ids)
 * out of exact reuse and of the candidates' tests, as {@code compare} does: an independent model
 * that shares only such tables with a registered one is not SHARED_LINEAGE, a copy still is.
 */
class DeterministicTablesIdentifyTest {
    private static SimModel gpt2Like(long seed) {
        return FormulaTables.addTables(
                SyntheticTransformer.random("gpt2-like-" + seed, SyntheticTransformer.Config.smallDecoder(), seed),
                Component.TEXT_DECODER,
                1024,
                1024);
    }

    @Test
    void sharedTablesAreNotReuseButACopyIs(@TempDir Path dir) throws Exception {
        try (Registry registry = Registry.open(dir.resolve("r.db"))) {
            SimModel registered = gpt2Like(11);
            registry.add(Fingerprint.of(registered.toView()), ModelMetadata.named("registered"));
            IdentifyResult other = Identifier.identify(gpt2Like(12).toView(), registry, IdentifyOptions.DEFAULT);
            assertThat(other.exactReuse()).isEmpty();
            assertThat(other.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(other.candidates())
                    .allSatisfy(c -> assertThat(c.result().verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE));
            IdentifyResult copy = Identifier.identify(registered.toView(), registry, IdentifyOptions.DEFAULT);
            assertThat(copy.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(copy.exactReuse())
                    .isNotEmpty()
                    .noneMatch(m -> m.suspectTensor().contains("attn.causal")
                            || m.suspectTensor().contains("embed_positions"));
        }
    }
}
