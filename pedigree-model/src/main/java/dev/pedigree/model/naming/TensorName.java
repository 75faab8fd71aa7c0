package dev.pedigree.model.naming;

import dev.pedigree.model.Part;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A tensor name split into its module path and the {@link Part} its last segment names. The
 * module path is the dotted name without the parameter suffix ({@code .weight}, {@code .bias},
 * {@code .gamma}, quantisation companions, buffers), so {@code model.layers.0.mlp.up_proj.weight}
 * becomes {@code [model, layers, 0, mlp, up_proj]} with part {@link Part#WEIGHT}.
 *
 * @param original the name as stored
 * @param path module path segments, never null, possibly empty
 * @param part what the name's suffix says the tensor holds
 */
record TensorName(String original, List<String> path, Part part) {

    /** Leading module names that wrap a model without changing what its tensors are. */
    private static final Set<String> WRAPPERS = Set.of(
            "model",
            "transformer",
            "bert",
            "roberta",
            "xlm_roberta",
            "distilbert",
            "language_model",
            "base_model",
            "module",
            "_orig_mod",
            "thinker",
            "llm");

    private static final Set<String> WEIGHT_SUFFIXES =
            Set.of("weight", "gamma", "qweight", "weight_packed", "weight_quantized", "weight_q");
    private static final Set<String> BIAS_SUFFIXES = Set.of("bias", "beta");
    private static final Set<String> BUFFER_SUFFIXES = Set.of(
            "position_ids",
            "token_type_ids",
            "inv_freq",
            "masked_bias",
            "g_idx",
            "weight_shape",
            "num_batches_tracked",
            "running_mean",
            "running_var",
            "_float_tensor",
            "freqs_cis",
            "causal_mask",
            "attn_mask");
    private static final Set<String> SCALE_SUFFIXES =
            Set.of("scales", "absmax", "SCB", "quant_map", "nested_absmax", "nested_quant_map");
    /** Real parameters whose names happen to end like quantisation companions. */
    private static final Set<String> PARAMETERS_NAMED_LIKE_SCALES = Set.of("logit_scale", "layer_scale");

    TensorName {
        path = List.copyOf(path);
    }

    static TensorName parse(String name) {
        List<String> segs = new ArrayList<>(Arrays.asList(name.split("\\.", -1)));
        int quantState = segs.indexOf("quant_state");
        if (quantState > 0) {
            // bitsandbytes: <module>.weight.quant_state.bitsandbytes__nf4
            return new TensorName(name, stripParameterSegment(segs.subList(0, quantState)), Part.QUANT_SCALE);
        }
        String last = segs.getLast();
        int n = segs.size();
        if (n >= 2
                && index(last) != null
                && (WEIGHT_SUFFIXES.contains(segs.get(n - 2)) || BIAS_SUFFIXES.contains(segs.get(n - 2)))) {
            // GGUF mmproj writes a second tensor of the same module as "<module>.weight.1".
            Part p = WEIGHT_SUFFIXES.contains(segs.get(n - 2)) ? Part.WEIGHT : Part.BIAS;
            return new TensorName(name, segs.subList(0, n - 2), p);
        }
        if (WEIGHT_SUFFIXES.contains(last)) {
            return new TensorName(name, segs.subList(0, n - 1), Part.WEIGHT);
        }
        if (BIAS_SUFFIXES.contains(last)) {
            return new TensorName(name, segs.subList(0, n - 1), Part.BIAS);
        }
        if (BUFFER_SUFFIXES.contains(last)) {
            return new TensorName(name, stripParameterSegment(segs.subList(0, n - 1)), Part.BUFFER);
        }
        if (!PARAMETERS_NAMED_LIKE_SCALES.contains(last)
                && (SCALE_SUFFIXES.contains(last)
                        || last.endsWith("_scale")
                        || last.endsWith("_scale_inv")
                        || last.endsWith("_scale_2"))) {
            return new TensorName(name, stripParameterSegment(segs.subList(0, n - 1)), Part.QUANT_SCALE);
        }
        if (last.equals("qzeros") || last.endsWith("_zero_point") || last.equals("zero_point")) {
            return new TensorName(name, stripParameterSegment(segs.subList(0, n - 1)), Part.QUANT_ZERO_POINT);
        }
        if (last.endsWith("_quantized") && last.length() > "_quantized".length()) {
            // onnxruntime quantize_* renames the weight initialiser "<w>_quantized".
            segs.set(n - 1, last.substring(0, last.length() - "_quantized".length()));
            return parse(String.join(".", segs)).withOriginal(name);
        }
        if (last.endsWith("_weight") && last.length() > "_weight".length()) {
            // nn.MultiheadAttention in_proj_weight, Gemma 3 mm_input_projection_weight
            segs.set(n - 1, last.substring(0, last.length() - "_weight".length()));
            return new TensorName(name, segs, Part.WEIGHT);
        }
        if (last.endsWith("_bias") && last.length() > "_bias".length()) {
            // in_proj_bias, DeepSeek e_score_correction_bias, gpt-oss gate_up_proj_bias
            segs.set(n - 1, last.substring(0, last.length() - "_bias".length()));
            return new TensorName(name, segs, Part.BIAS);
        }
        // A bare parameter such as CLIP's class_embedding or SigLIP's head.probe.
        return new TensorName(name, segs, Part.WEIGHT);
    }

    private TensorName withOriginal(String name) {
        return new TensorName(name, path, part);
    }

    private static List<String> stripParameterSegment(List<String> segs) {
        if (!segs.isEmpty() && (WEIGHT_SUFFIXES.contains(segs.getLast()) || BIAS_SUFFIXES.contains(segs.getLast()))) {
            return segs.subList(0, segs.size() - 1);
        }
        return segs;
    }

    /** The path without leading wrapper modules ({@code model.}, {@code language_model.}, ...). */
    List<String> unwrapped() {
        int i = 0;
        while (i < path.size() - 1 && WRAPPERS.contains(path.get(i))) {
            i++;
        }
        return path.subList(i, path.size());
    }

    static boolean isWrapper(String segment) {
        return WRAPPERS.contains(segment);
    }

    /** The path segment as a layer or expert index, or null when it is not a plain small integer. */
    static Integer index(String segment) {
        if (segment.isEmpty() || segment.length() > 9) {
            return null;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Integer.parseInt(segment);
    }

    /** Position of the first integer segment of {@code segs}, or -1. */
    static int firstIndexPosition(List<String> segs) {
        for (int i = 0; i < segs.size(); i++) {
            if (index(segs.get(i)) != null) {
                return i;
            }
        }
        return -1;
    }

    /** Segments {@code from..end} joined with dots. */
    static String join(List<String> segs, int from) {
        return String.join(".", segs.subList(Math.min(from, segs.size()), segs.size()));
    }
}
