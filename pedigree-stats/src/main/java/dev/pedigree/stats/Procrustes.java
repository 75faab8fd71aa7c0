package dev.pedigree.stats;

import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.SingularValueDecomposition;

/**
 * Orthogonal Procrustes: the rotation {@code Q} (orthogonal, {@code d × d}) that best maps the rows of
 * one matrix onto the rows of another, {@code Q = argmin ‖A Q − B‖_F = U Vᵀ} for {@code Aᵀ B = U Σ Vᵀ}.
 * Used to undo an orthogonal change of a residual basis (a rotated copy) before measuring how close two
 * models' weights are. Stateless.
 */
public final class Procrustes {
    private Procrustes() {}

    /**
     * The rotation {@code Q} with {@code a Q ≈ b}, as a {@code d × d} matrix.
     *
     * @param a rows in the first basis ({@code n × d})
     * @param b the same rows in the second basis ({@code n × d})
     * @throws IllegalArgumentException when the shapes differ
     */
    public static Matrix fit(Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(
                    "shapes differ: " + a.rows() + "x" + a.cols() + " and " + b.rows() + "x" + b.cols());
        }
        int n = a.rows();
        int d = a.cols();
        double[][] m = new double[d][d];
        float[] x = a.data();
        float[] y = b.data();
        for (int k = 0; k < n; k++) {
            int o = k * d;
            for (int i = 0; i < d; i++) {
                double xi = x[o + i];
                if (xi == 0) {
                    continue;
                }
                double[] mi = m[i];
                for (int j = 0; j < d; j++) {
                    mi[j] += xi * y[o + j];
                }
            }
        }
        SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(m, false));
        RealMatrix q = svd.getU().multiply(svd.getVT());
        float[] out = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = (float) q.getEntry(i, j);
            }
        }
        return Matrix.of(d, d, out);
    }
}
