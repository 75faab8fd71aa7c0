package dev.pedigree.format.gguf;

import dev.pedigree.io.ByteSource;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.contract.ContractSamples;
import dev.pedigree.model.contract.ModelReaderContract;
import java.nio.file.Path;

class GgufReaderContractTest extends ModelReaderContract {
    @Override
    protected ModelReader reader() {
        return new GgufReader();
    }

    @Override
    protected Path writeSample(Path dir) throws Exception {
        return ContractSamples.named("model.gguf").copyTo(dir);
    }

    /** The header, key-value metadata and tensor infos, before the aligned data section. */
    @Override
    protected int structureBytes(byte[] sample) {
        try (ByteSource src = ByteSource.ofBytes("sample", sample)) {
            return (int) GgufFile.parse(src).dataStart();
        } catch (Exception e) {
            throw new IllegalStateException("the contract sample must parse", e);
        }
    }

    /** Up to the end of the last tensor's data: the alignment padding after it may be cut and the file still read. */
    @Override
    protected int requiredBytes(byte[] sample) throws Exception {
        try (ByteSource src = ByteSource.ofBytes("sample", sample)) {
            return (int) GgufFile.parse(src).tensors().stream()
                    .mapToLong(t -> t.dataOffset() + t.byteSize())
                    .max()
                    .orElse(sample.length);
        }
    }

    /** Measured with the contract's seed: see the commit that set it; a reader that stopped checking falls below. */
    @Override
    protected double rejectionFloor() {
        return 0.70;
    }
}
