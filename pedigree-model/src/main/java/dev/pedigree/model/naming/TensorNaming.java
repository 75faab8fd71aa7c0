package dev.pedigree.model.naming;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.util.List;
import java.util.Objects;

/**
 * Maps tensor names from every supported naming scheme (Hugging Face families, GGUF
 * {@code blk.N.*}, multimodal towers, ONNX module paths) to canonical {@link TensorAddress}es, and
 * splits fused tensors into their logical roles.
 *
 * <p>Each naming scheme is one small family class; they are asked in this order and the first
 * that knows a name decides: {@link GgufNames}, {@link ProjectorNames}, {@link VisionTowerNames},
 * {@link AudioNames}, {@link GlmNames}, {@link NeoxNames}, {@link Gpt2Names}, {@link BertNames},
 * {@link MetaNames}, {@link HfDecoderNames}, and {@link FallbackNames} for everything else. Before
 * that, the name's suffix decides the {@link dev.pedigree.model.Part}: {@code weight}/{@code gamma}
 * → weight, {@code bias}/{@code beta} → bias, {@code weight_scale_inv}, {@code *_scale},
 * {@code scales}, bitsandbytes {@code absmax}/{@code quant_state} → quantisation scale,
 * {@code *_zero_point}/{@code qzeros} → zero point, {@code position_ids}, {@code inv_freq},
 * {@code masked_bias}, {@code g_idx} and the like → buffer.
 *
 * <p>Stateless and thread-safe.
 */
public final class TensorNaming {
    private TensorNaming() {}

    private static final List<NameFamily> FAMILIES = List.of(
            new GgufNames(),
            new ProjectorNames(),
            new VisionTowerNames(),
            new AudioNames(),
            new GlmNames(),
            new NeoxNames(),
            new Gpt2Names(),
            new BertNames(),
            new MetaNames(),
            new HfDecoderNames(),
            new FallbackNames());

    /**
     * Classifies one tensor name. Unknown names are never dropped: they map to an
     * {@code other:<prefix>} component with the layer index found in the name, role
     * {@link Role#OTHER}.
     *
     * <p>Where a name means different things in different architectures the hints decide: Gemma 2/3
     * and OLMo 2 {@code post_attention_layernorm} is {@link Role#POST_ATTN_NORM} (otherwise
     * {@link Role#MLP_NORM}; {@link #classifyAll} and {@link #logicalTensors} also decide it from the presence of
     * {@code pre/post_feedforward_layernorm}); GGUF {@code ffn_up} of {@code phi3}, {@code chatglm}
     * and {@code glm4} is the fused {@link Role#MLP_GATE_UP}; BERT-like architectures put GGUF
     * blocks in the text encoder; {@code whisper} makes {@code encoder.*} the audio tower.
     *
     * @param name the tensor name as stored (HF, GGUF, ONNX-derived or original checkpoint names)
     * @param hints the configuration facts; {@code null} is treated as {@link ArchitectureHints#NONE}
     * @return the canonical address, never null
     */
    public static TensorAddress classify(String name, ArchitectureHints hints) {
        Objects.requireNonNull(name, "name");
        return classify(TensorName.parse(name), FamilyHints.of(hints));
    }

    /**
     * Classifies all tensor names of one model at once. Same as {@link #classify} name by name,
     * except that names which need the rest of the model to decide are decided here: when any name
     * is a {@code pre_feedforward_layernorm} or {@code post_feedforward_layernorm}, every
     * {@code post_attention_layernorm} is {@link Role#POST_ATTN_NORM} whatever the hints say.
     *
     * @param names the model's tensor names
     * @param hints the configuration facts; {@code null} is treated as {@link ArchitectureHints#NONE}
     * @return the addresses, in the order of {@code names}
     */
    public static List<TensorAddress> classifyAll(List<String> names, ArchitectureHints hints) {
        List<TensorName> parsed = names.stream().map(TensorName::parse).toList();
        FamilyHints family = FamilyHints.of(hints);
        if (parsed.stream()
                .anyMatch(n -> !n.path().isEmpty()
                        && FamilyHints.isFeedForwardNorm(n.path().getLast()))) {
            family = family.withFeedForwardNormsSeen();
        }
        FamilyHints f = family;
        return parsed.stream().map(n -> classify(n, f)).toList();
    }

    private static TensorAddress classify(TensorName parsed, FamilyHints family) {
        for (NameFamily f : FAMILIES) {
            TensorAddress a = f.classify(parsed, family);
            if (a != null) {
                return a;
            }
        }
        // FallbackNames answers every name.
        throw new IllegalStateException("no naming family answered " + parsed.original());
    }

    /**
     * The logical view of a model's tensors: fused QKV / gate_up tensors are replaced by their parts
     * (as {@link dev.pedigree.model.RowSliceTensor}s), stacked expert tensors by one tensor per
     * expert; everything else is passed through.
     *
     * <p>Details:
     *
     * <ul>
     *   <li>{@link Role#ATTN_QKV} weights {@code [rows, in]} and biases {@code [rows]} become q, k
     *       and v parts named {@code <name>[q]}, {@code [k]}, {@code [v]}. In the text stack the
     *       sizes come from the hints (q = heads × headDim rows, k and v = kvHeads × headDim each);
     *       when the hints lack head counts, and always for vision/audio towers (whose heads the
     *       hints do not describe), the rows are split in thirds if divisible by 3. If the hints
     *       do not add up to the rows the tensor is left fused rather than split wrongly.
     *   <li>GPT-NeoX, BLOOM and Falcon {@code query_key_value} interleave q, k and v per head (per
     *       KV group in Falcon); their parts are {@link InterleavedRowsTensor}s and need the head
     *       counts: without them the tensor stays fused.
     *   <li>{@link Role#MLP_GATE_UP} (Phi-3 {@code gate_up_proj}, ChatGLM {@code dense_h_to_4h},
     *       GGUF fused {@code ffn_up}) becomes {@code [gate]} (first half) and {@code [up]}.
     *   <li>Stacked experts ({@link dev.pedigree.model.Component#EXPERTS}, no expert index, weight {@code [n_expert,
     *       out, in]} or bias {@code [n_expert, n]}) become one part per expert named
     *       {@code <name>[e<i>]} with expert index {@code i}; a stacked gate_up is then halved too,
     *       except for gpt-oss and Llama 4, whose stacked gate_up is not [gate; up] by rows.
     *   <li>When the model has {@code pre_feedforward_layernorm} or
     *       {@code post_feedforward_layernorm} tensors, a {@code post_attention_layernorm} addressed
     *       as {@link Role#MLP_NORM} is re-addressed as {@link Role#POST_ATTN_NORM}.
     *   <li>Quantisation companions and buffers are passed through unsplit.
     * </ul>
     *
     * <p>The parts are views: they read through the physical tensors and share their lifetime.
     *
     * @param physical the tensors as read, with addresses from {@link #classify}
     * @param hints the configuration facts; {@code null} is treated as {@link ArchitectureHints#NONE}
     * @return a new list in the same order, fused tensors replaced in place by their parts
     */
    public static List<TensorRef> logicalTensors(List<TensorRef> physical, ArchitectureHints hints) {
        return List.copyOf(new LogicalSplitter(hints).split(physical));
    }
}
