package dev.pedigree.format.onnx;

import java.util.Map;

/**
 * The parsed {@code ModelProto} header and its graph.
 *
 * @param opsets opset version per domain ({@code ""} is the default ai.onnx domain)
 * @param metadataProps field 14 key/value pairs in file order
 */
public record OnnxModelProto(
        long irVersion,
        String producerName,
        String producerVersion,
        String domain,
        long modelVersion,
        Map<String, Long> opsets,
        Map<String, String> metadataProps,
        OnnxGraphProto graph) {

    public OnnxModelProto {
        opsets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(opsets));
        metadataProps = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadataProps));
    }
}
