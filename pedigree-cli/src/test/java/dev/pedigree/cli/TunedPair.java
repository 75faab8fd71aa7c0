package dev.pedigree.cli;

import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A simulated base model and a fine-tune of it (relative noise 0.2), written as Hugging Face folders, for the CLI
 * tests that need one related pair on disk; and the terminal whose standard error is a TTY, where progress shows.
 */
record TunedPair(String base, String tuned) {
    static final Terminal STDERR_TTY = new Terminal(false, true, Map.of());

    static TunedPair write(Config config, long seed, Path baseDir, Path tunedDir) throws IOException {
        SimModel b = SyntheticTransformer.random("base", config, seed);
        return new TunedPair(
                GoldenOutputsTest.writeHf(b, baseDir).toString(),
                GoldenOutputsTest.writeHf(DerivationSimulator.noise(b, 0.2, 5), tunedDir)
                        .toString());
    }
}
