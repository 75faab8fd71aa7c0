package dev.pedigree.format.onnx;

import java.util.List;

/**
 * One parsed {@code GraphProto}: nodes, initialisers and sparse initialisers, in file order.
 *
 * @param depth 0 for the model's graph, n for a subgraph nested n attributes deep
 * @param offset absolute file offset of the graph's tag
 */
public record OnnxGraphProto(
        String name,
        List<OnnxNodeProto> nodes,
        List<OnnxTensorProto> initializers,
        List<OnnxSparseTensorProto> sparseInitializers,
        int depth,
        long offset) {

    public OnnxGraphProto {
        nodes = List.copyOf(nodes);
        initializers = List.copyOf(initializers);
        sparseInitializers = List.copyOf(sparseInitializers);
    }
}
