package dev.pedigree.format.pytorch;

import dev.pedigree.model.ModelReader;
import dev.pedigree.model.contract.ContractSamples;
import dev.pedigree.model.contract.ModelReaderContract;
import java.nio.file.Path;

class PytorchReaderContractTest extends ModelReaderContract {
    @Override
    protected ModelReader reader() {
        return new PytorchReader();
    }

    @Override
    protected Path writeSample(Path dir) throws Exception {
        return ContractSamples.named("pytorch_model.bin").copyTo(dir);
    }

    /** Measured with the contract's seed: see the commit that set it; a reader that stopped checking falls below. */
    @Override
    protected double rejectionFloor() {
        return 0.80;
    }
}
