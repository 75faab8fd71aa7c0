package dev.pedigree.format.onnx;

import dev.pedigree.model.ModelReader;
import dev.pedigree.model.contract.ContractSamples;
import dev.pedigree.model.contract.ModelReaderContract;
import java.nio.file.Path;

class OnnxReaderContractTest extends ModelReaderContract {
    @Override
    protected ModelReader reader() {
        return new OnnxReader();
    }

    @Override
    protected Path writeSample(Path dir) throws Exception {
        return ContractSamples.named("model.onnx").copyTo(dir);
    }

    /**
     * Up to the end of the graph (field 7): a protobuf message cut at a field boundary is a whole, shorter message, and
     * the fields after the graph (opset imports, metadata) are not needed to read the weights.
     */
    @Override
    protected int requiredBytes(byte[] sample) {
        int pos = 0;
        while (pos < sample.length) {
            long[] key = varint(sample, pos);
            pos = (int) key[1];
            int field = (int) (key[0] >>> 3);
            int wire = (int) (key[0] & 7);
            if (wire == 0) {
                pos = (int) varint(sample, pos)[1];
            } else if (wire == 2) {
                long[] len = varint(sample, pos);
                pos = (int) (len[1] + len[0]);
                if (field == 7) {
                    return pos;
                }
            } else {
                throw new IllegalStateException("sample uses wire type " + wire);
            }
        }
        throw new IllegalStateException("sample has no graph");
    }

    /** {value, position after it}. */
    private static long[] varint(byte[] b, int pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) {
                return new long[] {v, pos};
            }
        }
    }

    /** Measured with the contract's seed: see the commit that set it; a reader that stopped checking falls below. */
    @Override
    protected double rejectionFloor() {
        return 0.80;
    }
}
