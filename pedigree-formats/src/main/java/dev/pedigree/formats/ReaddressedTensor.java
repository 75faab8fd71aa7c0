package dev.pedigree.formats;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ForwardingTensorRef;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import java.util.ArrayList;
import java.util.List;

/**
 * A tensor whose canonical address was recomputed with facts the file reader did not have (the
 * directory's config.json). Everything else is delegated.
 */
final class ReaddressedTensor extends ForwardingTensorRef {
    private final TensorAddress address;

    ReaddressedTensor(TensorRef delegate, TensorAddress address) {
        super(delegate);
        this.address = address;
    }

    /**
     * Readdresses a whole model's tensors with {@code hints}. Names are classified as one set,
     * because some families (Gemma's sandwich norms) are only recognisable from the presence of
     * other names.
     */
    static List<TensorRef> all(List<? extends TensorRef> tensors, ArchitectureHints hints) {
        List<TensorAddress> addresses =
                TensorNaming.classifyAll(tensors.stream().map(TensorRef::name).toList(), hints);
        List<TensorRef> out = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            out.add(new ReaddressedTensor(tensors.get(i), addresses.get(i)));
        }
        return out;
    }

    @Override
    public TensorAddress address() {
        return address;
    }
}
