package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;

/**
 * The last resort: names no family knows are kept in an {@code other:<prefix>} component with
 * {@link Role#OTHER}. The prefix is the module path before the first integer segment (the block
 * list, e.g. {@code other:model.layers} for an unknown per-layer tensor), or the first segment
 * when the name has no integer; the layer is that first integer. So unknown tensors of one stack
 * are grouped together, layer by layer, and nothing is dropped.
 */
final class FallbackNames implements NameFamily {

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.path();
        int at = TensorName.firstIndexPosition(p);
        String prefix;
        Integer layer = null;
        if (at >= 0) {
            prefix = String.join(".", p.subList(0, at));
            layer = TensorName.index(p.get(at));
        } else {
            prefix = p.isEmpty() ? "" : p.getFirst();
        }
        return TensorAddress.of(Component.other(prefix), layer, Role.OTHER, name.part());
    }
}
