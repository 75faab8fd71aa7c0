package dev.pedigree.forensics.result;

import java.util.Objects;

/**
 * A tensor whose rows, as read by the comparison, held non-finite values (NaN, +Inf, -Inf). They are a property of the
 * input, reported as found; the statistics leave them out (a unit holding one carries no evidence). Counts are over
 * the rows read (all rows without {@code --sample}), each row once.
 *
 * @param model {@code suspect} or {@code reference}
 * @param tensor the tensor's name in its file
 * @param rows rows holding at least one non-finite value
 */
public record NonFiniteTensor(
        String model, String tensor, long rows, long nan, long positiveInfinity, long negativeInfinity) {
    public NonFiniteTensor {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tensor, "tensor");
        if (rows < 0 || nan < 0 || positiveInfinity < 0 || negativeInfinity < 0) {
            throw new IllegalArgumentException("negative non-finite counts");
        }
    }

    /** Every non-finite value. */
    public long total() {
        return nan + positiveInfinity + negativeInfinity;
    }
}
