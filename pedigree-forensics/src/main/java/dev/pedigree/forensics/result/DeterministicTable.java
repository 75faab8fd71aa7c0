package dev.pedigree.forensics.result;

import java.util.Objects;

/**
 * A tensor stored as a parameter whose values follow from a formula or an index (a sinusoidal
 * position table, an {@code arange} buffer, a causal mask, ...): independent models hold the same
 * one, so it is no lineage evidence and the comparison leaves it out of exact reuse and of every
 * weight test (see {@code DeterministicTables}).
 *
 * @param model {@code suspect} or {@code reference}
 * @param tensor the tensor's name in its file
 * @param kind what the values are, e.g. "sinusoidal table", "mask (Toeplitz, 2 values)"
 */
public record DeterministicTable(String model, String tensor, String kind) {
    public DeterministicTable {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(kind, "kind");
    }
}
