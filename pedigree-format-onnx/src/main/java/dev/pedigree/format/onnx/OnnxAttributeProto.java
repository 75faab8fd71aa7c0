package dev.pedigree.format.onnx;

import java.util.List;

/**
 * The parts of an {@code AttributeProto} Pedigree uses: scalar int/float, the ints list (perm,
 * axes), a tensor ({@code t}, Constant's {@code value}), tensors, and subgraphs ({@code g},
 * {@code graphs} of If/Loop/Scan).
 *
 * @param ints at most {@link OnnxProtoParser#MAX_ATTRIBUTE_INTS} values are kept
 */
public record OnnxAttributeProto(
        String name,
        long type,
        boolean hasInt,
        long i,
        float f,
        long[] ints,
        OnnxTensorProto t,
        List<OnnxTensorProto> tensors,
        List<OnnxGraphProto> graphs) {

    public OnnxAttributeProto {
        ints = ints.clone();
        tensors = List.copyOf(tensors);
        graphs = List.copyOf(graphs);
    }

    @Override
    public long[] ints() {
        return ints.clone();
    }
}
