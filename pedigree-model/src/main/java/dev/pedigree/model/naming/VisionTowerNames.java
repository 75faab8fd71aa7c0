package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Vision towers of multimodal checkpoints and CLIP-style encoders: {@code vision_tower.*},
 * {@code vision_model.*} (CLIP, SigLIP, InternViT), {@code visual.*} (Qwen2-VL/2.5-VL/3-VL,
 * OpenCLIP), Pixtral's {@code vision_tower.transformer.*}, and the GGUF mmproj {@code v.*} names.
 * Blocks go to {@link Component#VISION} with their layer index and the role from
 * {@link EncoderBlockRoles}; tower-level tensors (patch, position and class embeddings, pre/post
 * norms) have no layer. Tensors inside a recognised tower whose module is not known stay in the
 * vision component with {@link Role#OTHER} rather than forming an {@code other:} component.
 *
 * <p>A CLIP {@code text_model.*} tower uses the same block names; it maps to the text encoder,
 * with its token embedding in {@link Component#EMBEDDINGS}.
 */
final class VisionTowerNames implements NameFamily {

    static final Set<String> PREFIXES = Set.of(
            "vision_tower", "vision_model", "visual", "vision_encoder", "vision", "v", "image_encoder", "vpm", "vit");

    private static final Map<String, Role> TOWER = Map.ofEntries(
            Map.entry("embeddings.patch_embedding", Role.PATCH_EMBEDDING),
            Map.entry("embeddings.patch_embeddings.projection", Role.PATCH_EMBEDDING),
            Map.entry("embeddings.position_embedding", Role.POSITION_EMBEDDING),
            Map.entry("embeddings.position_embeddings", Role.POSITION_EMBEDDING),
            Map.entry("embeddings.class_embedding", Role.CLASS_EMBEDDING),
            Map.entry("embeddings.cls_token", Role.CLASS_EMBEDDING),
            Map.entry("patch_embed.proj", Role.PATCH_EMBEDDING),
            Map.entry("patch_conv", Role.PATCH_EMBEDDING),
            Map.entry("patch_embd", Role.PATCH_EMBEDDING),
            Map.entry("conv1", Role.PATCH_EMBEDDING),
            Map.entry("pos_embed", Role.POSITION_EMBEDDING),
            Map.entry("position_embd", Role.POSITION_EMBEDDING),
            Map.entry("positional_embedding", Role.POSITION_EMBEDDING),
            Map.entry("class_embd", Role.CLASS_EMBEDDING),
            Map.entry("class_embedding", Role.CLASS_EMBEDDING),
            Map.entry("pre_layrnorm", Role.EMBEDDING_NORM),
            Map.entry("pre_layernorm", Role.EMBEDDING_NORM),
            Map.entry("ln_pre", Role.EMBEDDING_NORM),
            Map.entry("pre_ln", Role.EMBEDDING_NORM),
            Map.entry("post_layernorm", Role.FINAL_NORM),
            Map.entry("ln_post", Role.FINAL_NORM),
            Map.entry("post_ln", Role.FINAL_NORM),
            Map.entry("layernorm", Role.FINAL_NORM));

    private static final Map<String, Role> TEXT_TOWER = Map.of(
            "embeddings.token_embedding", Role.EMBEDDING,
            "embeddings.position_embedding", Role.POSITION_EMBEDDING,
            "final_layer_norm", Role.FINAL_NORM);

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        if (p.size() < 2) {
            return null;
        }
        boolean textTower = p.getFirst().equals("text_model");
        if (!textTower && !PREFIXES.contains(p.getFirst())) {
            return null;
        }
        Component tower = textTower ? Component.TEXT_ENCODER : Component.VISION;
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
        String module = String.join(".", rest);
        Role r = textTower ? TEXT_TOWER.get(module) : TOWER.get(module);
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
