package dev.pedigree.format.onnx;

/**
 * What the graph says about one initialiser (or Constant value): which node consumes it as a
 * weight, the Hugging Face style parameter name derived from that node's module scope, and whether
 * the stored layout is the transpose of the canonical {@code [out, in]}.
 *
 * @param storedName the name in the file, e.g. {@code onnx::MatMul_824}
 * @param derivedName e.g. {@code encoder.layer.0.attention.self.query.weight}, or null when the
 *     graph gives no module scope
 * @param consumerOp op type of the consuming node (MatMul, Gemm, MatMulInteger, Gather, Conv,
 *     Add, Mul), or null when no consumer was recognised
 * @param consumerNode name of that node, or null
 * @param transposed true when the stored 2-D layout is {@code [in, out]} (MatMul, Gemm with
 *     transB=0), so the canonical view is its transpose
 * @param confirmedByBias true when the following Add consumes {@code <derived scope>.bias}
 * @param scaleName quantisation scale input found on the path (DequantizeLinear), or null
 * @param zeroPointName quantisation zero point input found on the path, or null
 * @param quantAxis stored axis along which a per-channel scale varies
 */
public record OnnxWeightBinding(
        String storedName,
        String derivedName,
        String consumerOp,
        String consumerNode,
        boolean transposed,
        boolean confirmedByBias,
        String scaleName,
        String zeroPointName,
        int quantAxis) {

    /** A binding that found nothing. */
    static OnnxWeightBinding unbound(String storedName) {
        return new OnnxWeightBinding(storedName, null, null, null, false, false, null, null, -1);
    }
}
