package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

class NeighbourhoodDispersionTest {

    @Test
    void matchesPairLoopIn2D() {
        for (int r : new int[] {1, 2}) {
            float[] f = random(4, new int[] {5, 7}, 11 + r);
            assertArrayEquals(bruteForce(f, 4, new int[] {5, 7}, r), NeighbourhoodDispersion.deltas(f, 4, new int[] {5, 7}, r), 1e-6);
        }
    }

    @Test
    void matchesPairLoopIn3D() {
        int[] shape = {3, 4, 5};
        float[] f = random(3, shape, 5);
        assertArrayEquals(bruteForce(f, 3, shape, 1), NeighbourhoodDispersion.deltas(f, 3, shape, 1), 1e-6);
    }

    @Test
    void equalVectorsHaveNoDispersion() {
        int n = 4 * 3;
        float[] f = new float[3 * n];
        for (int p = 0; p < n; p++) {
            f[p] = 0.3f;
            f[n + p] = -1.2f;
            f[2 * n + p] = 2f;
        }
        assertArrayEquals(new double[n], NeighbourhoodDispersion.deltas(f, 3, new int[] {4, 3}, 1), 0.0);
    }

    @Test
    void checkerboardOfOppositeVectorsSpansTheWholeRange() {
        // v and -v alternate: every window holds both, cosines 1 and -1, delta = 2 = the whole range.
        float[] v = {1, 2, -0.5f};
        for (int[] shape : new int[][] {{4, 5}, {3, 3, 4}}) {
            int n = 1;
            for (int s : shape) n *= s;
            float[] f = new float[3 * n];
            for (int p = 0; p < n; p++) {
                int parity = 0;
                int rest = p;
                for (int a = shape.length - 1; a >= 0; a--) {
                    parity += rest % shape[a];
                    rest /= shape[a];
                }
                for (int k = 0; k < 3; k++) f[k * n + p] = parity % 2 == 0 ? v[k] : -v[k];
            }
            double[] d = NeighbourhoodDispersion.deltas(f, 3, shape, 1);
            for (double x : d) assertEquals(1.0, x / NeighbourhoodDispersion.COSINE_RANGE, 1e-6);
        }
    }

    @Test
    void handComputedRowWithClippedWindows() {
        // One row of three 2-vectors (1,0), (0,1), (1,2), channel-major: channel 0 = (1,0,1), channel 1 = (0,1,2).
        // Pixel 0 sees {0,1}: cosines 1, 0 -> 1. Pixel 1 sees all: 0, 1, 2/sqrt5 -> 1.
        // Pixel 2 sees {1,2} only (the window is clipped, it does not wrap to pixel 0): 2/sqrt5, 1 -> 1 - 2/sqrt5.
        float[] f = {1, 0, 1, 0, 1, 2};
        double[] d = NeighbourhoodDispersion.deltas(f, 2, new int[] {1, 3}, 1);
        assertArrayEquals(new double[] {1, 1, 1 - 2 / Math.sqrt(5)}, d, 1e-7);
        // Radius 2 lets pixel 2 see pixel 0 (cosine 1/sqrt5).
        assertEquals(1 - 1 / Math.sqrt(5), NeighbourhoodDispersion.deltas(f, 2, new int[] {1, 3}, 2)[2], 1e-7);
    }

    @Test
    void zeroVectorsHaveCosineZero() {
        // (1,0) next to (0,0): pixel 0 sees cosines 1 and 0 -> 1; the zero pixel sees only zeros -> 0.
        float[] f = {1, 0, 0, 0};
        assertArrayEquals(new double[] {1, 0}, NeighbourhoodDispersion.deltas(f, 2, new int[] {2, 1}, 1), 0.0);
    }

    @Test
    void summaryOfNormalisedValues() {
        NeighbourhoodDispersion.Summary s = NeighbourhoodDispersion.Summary.of(new double[] {0, 0.1, 0.2, 0.3, 1}, 2);
        assertEquals(5, s.pixels());
        assertEquals(0.32, s.mean(), 1e-12);
        assertEquals(0.2, s.median(), 1e-12);
        assertEquals(0.3 + 0.8 * 0.7, s.p95(), 1e-12); // rank 3.8 between 0.3 and 1
        assertArrayEquals(new long[] {4, 1}, s.histogram());
    }

    @Test
    void rejectsBadShapes() {
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodDispersion.deltas(new float[10], 2, new int[] {2, 3}, 1));
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodDispersion.deltas(new float[6], 1, new int[] {6}, 1));
        assertThrows(IllegalArgumentException.class, () -> NeighbourhoodDispersion.deltas(new float[6], 1, new int[] {2, 3}, 0));
    }

    /** Gaussian features with a few zero vectors, C-order (C, *spatial). */
    private static float[] random(int channels, int[] shape, long seed) {
        Rng rng = new Rng(seed);
        int n = 1;
        for (int s : shape) n *= s;
        float[] f = new float[channels * n];
        for (int i = 0; i < f.length; i++) f[i] = (float) rng.nextGaussian();
        for (int p = 0; p < n; p += 6) for (int k = 0; k < channels; k++) f[k * n + p] = 0;
        return f;
    }

    /**
     * The definition as written: neighbours are all pixels within Chebyshev distance r (found by comparing
     * coordinates, not by walking a window), cosines from raw vectors, and the maximum over all pairs (j, k).
     */
    private static double[] bruteForce(float[] f, int channels, int[] shape, int r) {
        int n = 1;
        for (int s : shape) n *= s;
        int[][] coords = new int[n][shape.length];
        for (int p = 0; p < n; p++) {
            int rest = p;
            for (int a = shape.length - 1; a >= 0; a--) {
                coords[p][a] = rest % shape[a];
                rest /= shape[a];
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            List<Double> cos = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                boolean near = true;
                for (int a = 0; a < shape.length; a++) near &= Math.abs(coords[i][a] - coords[j][a]) <= r;
                if (near) cos.add(cosine(f, channels, n, i, j));
            }
            double best = 0;
            for (double cj : cos) for (double ck : cos) best = Math.max(best, Math.abs(cj - ck));
            out[i] = best;
        }
        return out;
    }

    private static double cosine(float[] f, int channels, int n, int i, int j) {
        double dot = 0, ni = 0, nj = 0;
        for (int k = 0; k < channels; k++) {
            dot += (double) f[k * n + i] * f[k * n + j];
            ni += (double) f[k * n + i] * f[k * n + i];
            nj += (double) f[k * n + j] * f[k * n + j];
        }
        return ni == 0 || nj == 0 ? 0 : dot / Math.sqrt(ni * nj);
    }
}
