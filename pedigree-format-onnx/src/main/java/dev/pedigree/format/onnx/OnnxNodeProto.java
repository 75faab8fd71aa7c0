package dev.pedigree.format.onnx;

import java.util.List;

/**
 * One parsed {@code NodeProto}. Input names may be empty strings (omitted optional inputs).
 *
 * @param offset absolute file offset of the node's tag
 */
public record OnnxNodeProto(
        String name,
        String opType,
        String domain,
        List<String> inputs,
        List<String> outputs,
        List<OnnxAttributeProto> attributes,
        long offset) {

    public OnnxNodeProto {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = List.copyOf(attributes);
    }

    /** The attribute called {@code attrName}, or null. */
    public OnnxAttributeProto attribute(String attrName) {
        for (OnnxAttributeProto a : attributes) {
            if (a.name().equals(attrName)) {
                return a;
            }
        }
        return null;
    }

    /** Integer attribute {@code attrName}, or {@code fallback} when absent. */
    public long intAttribute(String attrName, long fallback) {
        OnnxAttributeProto a = attribute(attrName);
        return a == null || !a.hasInt() ? fallback : a.i();
    }

    /** Input {@code i}, or the empty string when the node has fewer inputs. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    /** Output {@code i}, or the empty string when the node has fewer outputs. */
    public String output(int i) {
        return i < outputs.size() ? outputs.get(i) : "";
    }
}
