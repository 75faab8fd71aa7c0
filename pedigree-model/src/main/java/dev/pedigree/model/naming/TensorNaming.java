package dev.pedigree.model.naming;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.util.List;

/**
 * Maps tensor names from every supported naming scheme (Hugging Face families, GGUF
 * {@code blk.N.*}, multimodal towers, ONNX module paths) to canonical {@link TensorAddress}es, and
 * splits fused tensors into their logical roles.
 *
 * <p>Stateless and thread-safe. (Placeholder: the full mapping is being written.)
 */
public final class TensorNaming {
  private TensorNaming() {}

  /**
   * Classifies one tensor name. Unknown names are never dropped: they map to an
   * {@code other:<prefix>} component with the layer index found in the name, role
   * {@link Role#OTHER}.
   */
  public static TensorAddress classify(String name, ArchitectureHints hints) {
    return TensorAddress.of(Component.other(""), null, Role.OTHER, name.endsWith("bias") ? Part.BIAS : Part.WEIGHT);
  }

  /**
   * The logical view of a model's tensors: fused QKV / gate_up tensors are replaced by their parts
   * (as {@link dev.pedigree.model.RowSliceTensor}s), stacked expert tensors by one tensor per
   * expert; everything else is passed through.
   */
  public static List<TensorRef> logicalTensors(List<TensorRef> physical, ArchitectureHints hints) {
    return physical;
  }
}
