package org.cover4j.data.phantom;

import org.cover4j.util.Rng;

/**
 * Smooth random fields ("value noise"): random values in [−1, 1] on a coarse lattice of {@code cells + 1}
 * points per axis, interpolated separably to the full grid with smoothstep weights (continuous with a
 * continuous first derivative, so boundaries deformed by it stay smooth).
 */
final class SmoothField {
    private SmoothField() {}

    /** A field over a cubic grid of {@code size} per axis ({@code dims} axes), C-order. */
    static float[] generate(int dims, int size, int cells, Rng rng) {
        int lattice = cells + 1;
        int[] shape = new int[dims];
        java.util.Arrays.fill(shape, lattice);
        float[] v = new float[(int) Math.pow(lattice, dims)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (2 * rng.nextDouble() - 1);
        int[] index = new int[size];
        float[] weight = new float[size];
        for (int p = 0; p < size; p++) {
            double t = (p + 0.5) / size * cells;
            int i = Math.min((int) t, cells - 1);
            double f = t - i;
            index[p] = i;
            weight[p] = (float) (f * f * (3 - 2 * f));
        }
        for (int axis = 0; axis < dims; axis++) {
            v = resampleAxis(v, shape, axis, size, index, weight);
            shape[axis] = size;
        }
        return v;
    }

    /** Interpolates one axis of {@code in} (shape {@code shape}) to length {@code size}. */
    private static float[] resampleAxis(float[] in, int[] shape, int axis, int size, int[] index, float[] weight) {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        int len = shape[axis];
        float[] out = new float[outer * size * inner];
        for (int o = 0; o < outer; o++) {
            for (int p = 0; p < size; p++) {
                int a = (o * len + index[p]) * inner, b = a + inner;
                float w = weight[p];
                int dst = (o * size + p) * inner;
                for (int k = 0; k < inner; k++) out[dst + k] = in[a + k] + w * (in[b + k] - in[a + k]);
            }
        }
        return out;
    }
}
