package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Audio encoders: {@code audio_tower.*} (Qwen2-Audio, Qwen2.5-Omni), {@code audio_encoder.*},
 * {@code audio_model.*}, the GGUF mmproj {@code a.*} names, and Whisper itself when the
 * architecture is {@code whisper}: {@code encoder.*} is the audio tower, {@code decoder.*} the text
 * decoder and {@code proj_out} its head.
 *
 * <p>Blocks use the Whisper/BART module names ({@code self_attn.*}, {@code self_attn_layer_norm}
 * → {@link Role#ATTN_NORM}, {@code fc1}/{@code fc2}, {@code final_layer_norm} →
 * {@link Role#MLP_NORM}, the norm before the MLP). The convolutional stem {@code conv1},
 * {@code conv2} maps to {@link Role#CONV} without a layer (so both share one address). The
 * decoder's cross-attention ({@code encoder_attn.*}) has no canonical role and stays
 * {@link Role#OTHER} in its layer.
 */
final class AudioNames implements NameFamily {

    private static final Set<String> PREFIXES = Set.of("audio_tower", "audio_encoder", "audio_model", "audio", "a");

    private static final Map<String, Role> TOWER = Map.of(
            "embed_positions", Role.POSITION_EMBEDDING,
            "position_embd", Role.POSITION_EMBEDDING,
            "layer_norm", Role.FINAL_NORM,
            "ln_post", Role.FINAL_NORM,
            "post_ln", Role.FINAL_NORM,
            "embed_tokens", Role.EMBEDDING);

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        if (hints.whisper() && p.size() == 1 && p.getFirst().equals("proj_out")) {
            return TensorAddress.of(Component.LM_HEAD, null, Role.LM_HEAD, name.part());
        }
        if (p.size() < 2) {
            return null;
        }
        Component tower;
        if (PREFIXES.contains(p.getFirst())) {
            tower = Component.AUDIO;
        } else if (hints.whisper() && p.getFirst().equals("encoder")) {
            tower = Component.AUDIO;
        } else if (hints.whisper() && p.getFirst().equals("decoder")) {
            tower = Component.TEXT_DECODER;
        } else {
            return null;
        }
        int i = 1;
        while (i < p.size() - 1
                && (PREFIXES.contains(p.get(i))
                        || TensorName.isWrapper(p.get(i))
                        || EncoderBlockRoles.STACK_WRAPPERS.contains(p.get(i)))) {
            i++;
        }
        List<String> rest = p.subList(i, p.size());
        if (rest.size() >= 3
                && EncoderBlockRoles.BLOCK_LISTS.contains(rest.get(0))
                && TensorName.index(rest.get(1)) != null) {
            Role r = EncoderBlockRoles.of(TensorName.join(rest, 2));
            return TensorAddress.of(tower, TensorName.index(rest.get(1)), r == null ? Role.OTHER : r, name.part());
        }
        if (rest.getFirst().startsWith("conv")) {
            return TensorAddress.of(tower, null, Role.CONV, name.part());
        }
        Role r = TOWER.get(String.join(".", rest));
        if (r == Role.EMBEDDING) {
            return TensorAddress.of(Component.EMBEDDINGS, null, r, name.part());
        }
        if (r != null) {
            return TensorAddress.of(tower, null, r, name.part());
        }
        int at = TensorName.firstIndexPosition(rest);
        return TensorAddress.of(tower, at < 0 ? null : TensorName.index(rest.get(at)), Role.OTHER, name.part());
    }
}
