package dev.pedigree.forensics.simulate;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An in-memory model for simulations: float32 tensors with canonical addresses, an optional
 * vocabulary and architecture hints. Immutable; transformations return new instances.
 *
 * @param name a label (becomes the view's source)
 * @param tensors every tensor, canonical [out, in] layout
 * @param vocabulary null when the model has no tokenizer
 */
public record SimModel(String name, ArchitectureHints hints, List<ArrayTensor> tensors, Vocabulary vocabulary) {
    public SimModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hints, "hints");
        tensors = List.copyOf(tensors);
    }

    /** A {@link ModelView} over the tensors (format: safetensors-like, in memory). */
    public ModelView toView() {
        return BasicModelView.builder("sim:" + name, ModelFormat.SAFETENSORS)
                .architecture(hints.architecture())
                .hints(hints)
                .tensors(tensors)
                .vocabulary(vocabulary)
                .build();
    }

    /** The vocabulary, if any. */
    public Optional<Vocabulary> vocab() {
        return Optional.ofNullable(vocabulary);
    }

    /** The first tensor with this address, if any. */
    public Optional<ArrayTensor> tensor(TensorAddress a) {
        return tensors.stream().filter(t -> t.address().equals(a)).findFirst();
    }

    /** The tensors whose address matches. */
    public List<ArrayTensor> select(Predicate<TensorAddress> p) {
        return tensors.stream().filter(t -> p.test(t.address())).toList();
    }

    /** Block layer indices of a component name, ascending. */
    public List<Integer> layers(String component) {
        return tensors.stream()
                .map(TensorRef::address)
                .filter(a -> a.component().name().equals(component) && a.layer() != null)
                .map(TensorAddress::layer)
                .distinct()
                .sorted()
                .toList();
    }

    /** Returns a copy with a new name. */
    public SimModel named(String n) {
        return new SimModel(n, hints, tensors, vocabulary);
    }

    /** Returns a copy with other tensors. */
    public SimModel withTensors(List<ArrayTensor> ts) {
        return new SimModel(name, hints, ts, vocabulary);
    }

    /** Returns a copy with another vocabulary (null: none). */
    public SimModel withVocabulary(Vocabulary v) {
        return new SimModel(name, hints, tensors, v);
    }

    /** A tensor with the same name and address and new values. */
    public static ArrayTensor replace(ArrayTensor t, float[] values) {
        return new ArrayTensor(t.name(), t.shape(), t.address(), values);
    }

    /** A tensor with new values and shape, same name and address. */
    public static ArrayTensor replace(ArrayTensor t, Shape shape, float[] values) {
        return new ArrayTensor(t.name(), shape, t.address(), values);
    }

    /** Number of rows of the embedding matrix, or 0. */
    public int vocabRows() {
        return tensors.stream()
                .filter(t -> t.address().role() == Role.EMBEDDING && t.address().layer() == null)
                .mapToInt(t -> (int) t.shape().rows())
                .findFirst()
                .orElse(0);
    }

    /** Copy of the tensor list, for building variants. */
    public List<ArrayTensor> mutableTensors() {
        return new ArrayList<>(tensors);
    }
}
