package dev.pedigree.model;

import java.util.Arrays;

/**
 * A tensor shape in canonical (PyTorch, row-major) order: the last dimension is contiguous. A
 * 2-D weight is {@code [out, in]}. Immutable.
 */
public record Shape(long[] dims) {
    /** Largest rank accepted from any file. */
    public static final int MAX_RANK = 8;

    public Shape {
        if (dims.length > MAX_RANK) {
            throw new IllegalArgumentException("rank " + dims.length + " exceeds " + MAX_RANK);
        }
        dims = dims.clone();
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, d);
        }
    }

    public static Shape of(long... dims) {
        return new Shape(dims);
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i];
    }

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Length of one row: the last dimension (1 for a scalar). */
    public long columns() {
        return dims.length == 0 ? 1 : dims[dims.length - 1];
    }

    /** Number of rows: the product of all but the last dimension (1 for vectors and scalars). */
    public long rows() {
        long n = 1;
        for (int i = 0; i < dims.length - 1; i++) {
            n *= dims[i];
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
