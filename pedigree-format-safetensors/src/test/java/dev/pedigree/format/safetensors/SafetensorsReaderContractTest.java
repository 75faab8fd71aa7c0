package dev.pedigree.format.safetensors;

import dev.pedigree.model.ModelReader;
import dev.pedigree.model.contract.ContractSamples;
import dev.pedigree.model.contract.ModelReaderContract;
import dev.pedigree.testkit.Mutations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

class SafetensorsReaderContractTest extends ModelReaderContract {
    @Override
    protected ModelReader reader() {
        return new SafetensorsReader();
    }

    @Override
    protected Path writeSample(Path dir) throws Exception {
        return ContractSamples.named("model.safetensors").copyTo(dir);
    }

    /** The 8-byte length and the JSON header. */
    @Override
    protected int structureBytes(byte[] sample) {
        return 8 + (int) ByteBuffer.wrap(sample).order(ByteOrder.LITTLE_ENDIAN).getLong();
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
