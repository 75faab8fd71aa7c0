package dev.pedigree.format.tokenizers;

import dev.pedigree.model.ModelReader;
import dev.pedigree.model.contract.ContractSamples;
import dev.pedigree.model.contract.ModelReaderContract;
import dev.pedigree.testkit.Mutations;
import java.nio.file.Path;

/** The contract on tokenizer.json; the other tokenizer samples are checked for their probes. */
class TokenizerReaderContractTest extends ModelReaderContract {
    @Override
    protected ModelReader reader() {
        return new TokenizerFileReader();
    }

    @Override
    protected Path writeSample(Path dir) throws Exception {
        return ContractSamples.named("tokenizer.json").copyTo(dir);
    }

    /** The JSON syntax, since the structure is JSON text. */
    @Override
    protected byte[] dictionary() {
        return Mutations.JSON_TOKENS;
    }

    /** Measured with the contract's seed: see the commit that set it; a reader that stopped checking falls below. */
    @Override
    protected double rejectionFloor() {
        return 0.90;
    }
}
