package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link KanLinear}'s pieces against independent oracles: the knots against the official buffer, the B-spline bases
 * against a direct double-precision Cox–de Boor and hand values, and the initial spline fit against the
 * minimum-norm solution computed here from the normal equations.
 */
class KanLinearTest {
    @Test
    void gridIsTheOfficialBufferBitForBit() {
        Map<String, NpyArray> params = UKanFixtures.load("ukan_small_params.npz");
        assertArrayEquals(params.get("block2.0.layer.fc3.grid").floats(), KanLinear.grid(64));
        float[] row = {-2.2f, -1.8f, -1.4f, -1f, -0.6f, -0.2f, 0.2f, 0.6f, 1f, 1.4f, 1.8f, 2.2f};
        float[] grid = KanLinear.grid(1);
        for (int k = 0; k < row.length; k++) assertEquals(row[k], grid[k], 1e-6f, "knot " + k);
    }

    @Test
    void basesAtAKnotAreTheUniformCubicValuesOfAHalfOpenStart() {
        try (StepScope s = StepScope.open()) {
            // At the knot g3 = -1 the cubic B-splines starting at g0, g1, g2 take 1/6, 2/3, 1/6 and the one starting at
            // g3 is 0: true only when the order-0 intervals are half-open [g_j, g_(j+1)).
            float[] got = Tensors.toArray(KanLinear.bases(Tensors.of(new float[] {-1f}, 1, 1), Tensors.of(KanLinear.grid(1), 1, KanLinear.KNOTS)));
            assertArrayEquals(new float[] {1f / 6, 2f / 3, 1f / 6, 0, 0, 0, 0, 0}, got, 1e-6f);
        }
    }

    @Test
    void basesMatchCoxDeBoorEverywhereAndVanishOutsideTheGrid() {
        try (StepScope s = StepScope.open()) {
            float[] knots = KanLinear.grid(1);
            Rng rng = new Rng(3);
            int n = 64;
            float[] x = new float[n];
            for (int i = 0; i < KanLinear.KNOTS; i++) x[i] = knots[i]; // every knot, exactly
            x[12] = -2.3f;
            x[13] = 2.5f;
            for (int i = 14; i < n; i++) x[i] = (float) rng.uniform(-2.6, 2.6);
            float[] got = Tensors.toArray(KanLinear.bases(Tensors.of(x, n, 1), Tensors.of(knots, 1, KanLinear.KNOTS)));
            double[] g = new double[knots.length];
            for (int k = 0; k < g.length; k++) g[k] = knots[k];
            for (int i = 0; i < n; i++) {
                double[] expected = coxDeBoor(x[i], g);
                for (int j = 0; j < KanLinear.BASES; j++) {
                    assertEquals(expected[j], got[i * KanLinear.BASES + j], 1e-6, "basis " + j + " at x = " + x[i]);
                }
            }
            for (int j = 0; j < KanLinear.BASES; j++) {
                assertEquals(0f, got[12 * KanLinear.BASES + j], "below the grid");
                assertEquals(0f, got[13 * KanLinear.BASES + j], "above the grid");
            }
        }
    }

    @Test
    void initialSplinesAreTheMinimumNormInterpolantOfTheNoise() {
        try (StepScope s = StepScope.open()) {
            int in = 3;
            int out = 4;
            int points = KanLinear.GRID_SIZE + 1;
            Rng rng = new Rng(8);
            float[] noise = new float[points * in * out];
            for (int i = 0; i < noise.length; i++) noise[i] = (float) rng.uniform(-0.01, 0.01);
            float[] coeff = KanLinear.fitSplines(noise, in, out);

            double[] g = new double[KanLinear.KNOTS];
            float[] knots = KanLinear.grid(1);
            for (int k = 0; k < g.length; k++) g[k] = knots[k];
            double[][] a = new double[points][];
            for (int k = 0; k < points; k++) a[k] = coxDeBoor(g[KanLinear.SPLINE_ORDER + k], g);
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    double[] rhs = new double[points];
                    for (int k = 0; k < points; k++) rhs[k] = noise[(k * in + i) * out + o];
                    // Minimum norm: c = Aᵀ (A Aᵀ)⁻¹ rhs (A has full row rank: 6 distinct knots, 8 bases).
                    double[][] gram = new double[points][points];
                    for (int p = 0; p < points; p++) {
                        for (int q = 0; q < points; q++) gram[p][q] = dot(a[p], a[q]);
                    }
                    double[] y = solve(gram, rhs);
                    for (int j = 0; j < KanLinear.BASES; j++) {
                        double expected = 0;
                        for (int k = 0; k < points; k++) expected += a[k][j] * y[k];
                        assertEquals(expected, coeff[(o * in + i) * KanLinear.BASES + j], 1e-6, "coefficient " + o + "," + i + "," + j);
                    }
                    // And it interpolates: the curve passes through the noise at each knot.
                    for (int k = 0; k < points; k++) {
                        double curve = 0;
                        for (int j = 0; j < KanLinear.BASES; j++) curve += a[k][j] * coeff[(o * in + i) * KanLinear.BASES + j];
                        assertEquals(rhs[k], curve, 1e-7, "curve at knot " + k);
                    }
                }
            }
        }
    }

    /** The 8 cubic bases at x by the textbook recursion (half-open order 0), in double. */
    static double[] coxDeBoor(double x, double[] g) {
        double[] b = new double[g.length - 1];
        for (int j = 0; j < b.length; j++) b[j] = g[j] <= x && x < g[j + 1] ? 1 : 0;
        for (int p = 1; p <= KanLinear.SPLINE_ORDER; p++) {
            double[] next = new double[b.length - 1];
            for (int j = 0; j < next.length; j++) {
                next[j] = (x - g[j]) / (g[j + p] - g[j]) * b[j] + (g[j + p + 1] - x) / (g[j + p + 1] - g[j + 1]) * b[j + 1];
            }
            b = next;
        }
        return b;
    }

    private static double dot(double[] u, double[] v) {
        double s = 0;
        for (int i = 0; i < u.length; i++) s += u[i] * v[i];
        return s;
    }

    /** Gaussian elimination with partial pivoting. */
    private static double[] solve(double[][] m, double[] rhs) {
        int n = rhs.length;
        double[][] a = new double[n][];
        double[] b = rhs.clone();
        for (int i = 0; i < n; i++) a[i] = m[i].clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
            double[] t = a[c]; a[c] = a[piv]; a[piv] = t;
            double tb = b[c]; b[c] = b[piv]; b[piv] = tb;
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) a[r][k] -= f * a[c][k];
                b[r] -= f * b[c];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) s -= a[r][k] * x[k];
            x[r] = s / a[r][r];
        }
        return x;
    }
}
