package org.cover4j.metrics;

import java.util.Arrays;

/**
 * Exact Euclidean distance transform (Felzenszwalb &amp; Huttenlocher, "Distance Transforms of Sampled
 * Functions", 2012) for any number of dimensions and anisotropic voxel spacing.
 *
 * <p>The squared distance separates into one 1D lower-envelope-of-parabolas pass per axis; the spacing
 * enters as the physical position {@code q * spacing[axis]} of each sample, so the result is exact (not a
 * chamfer approximation) in physical units, like {@code scipy.ndimage.distance_transform_edt(sampling=...)}.
 */
public final class DistanceTransform {
    private DistanceTransform() {
    }

    /**
     * Squared physical distance from every voxel to the nearest {@code true} voxel of {@code features};
     * {@code +Infinity} everywhere when there is none.
     */
    public static double[] squared(boolean[] features, int[] shape, double[] spacing) {
        Grid g = new Grid(shape);
        if (features.length != g.size) {
            throw new IllegalArgumentException("features length " + features.length + " != shape " + Arrays.toString(shape));
        }
        double[] d = new double[g.size];
        for (int i = 0; i < g.size; i++) d[i] = features[i] ? 0.0 : Double.POSITIVE_INFINITY;
        int maxLen = Arrays.stream(shape).max().orElse(1);
        double[] f = new double[maxLen];
        double[] out = new double[maxLen];
        int[] v = new int[maxLen];
        double[] z = new double[maxLen + 1];
        for (int axis = 0; axis < g.ndim(); axis++) {
            int n = shape[axis];
            int stride = g.strides[axis];
            double s = spacing[axis];
            for (int start = 0; start < g.size; start++) {
                if (g.coord(start, axis) != 0) continue;
                for (int q = 0; q < n; q++) f[q] = d[start + q * stride];
                transform1d(f, n, s, out, v, z);
                for (int q = 0; q < n; q++) d[start + q * stride] = out[q];
            }
        }
        return d;
    }

    /**
     * One line: {@code out[p] = min_q ((p - q) s)^2 + f[q]}. Infinite samples are left out of the envelope
     * (they would make the parabola intersections NaN); a line with no finite sample stays infinite.
     */
    static void transform1d(double[] f, int n, double s, double[] out, int[] v, double[] z) {
        int k = -1;
        for (int q = 0; q < n; q++) {
            if (f[q] == Double.POSITIVE_INFINITY) continue;
            if (k < 0) {
                k = 0;
                v[0] = q;
                z[0] = Double.NEGATIVE_INFINITY;
                z[1] = Double.POSITIVE_INFINITY;
                continue;
            }
            // Abscissa where the parabola rooted at q overtakes the one rooted at v[k]; z[0] = -inf stops
            // the pops at the first parabola.
            double cross = intersection(f, v[k], q, s);
            while (cross <= z[k]) {
                k--;
                cross = intersection(f, v[k], q, s);
            }
            k++;
            v[k] = q;
            z[k] = cross;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        if (k < 0) {
            Arrays.fill(out, 0, n, Double.POSITIVE_INFINITY);
            return;
        }
        int j = 0;
        for (int q = 0; q < n; q++) {
            double x = q * s;
            while (z[j + 1] < x) j++;
            double dx = x - v[j] * s;
            out[q] = dx * dx + f[v[j]];
        }
    }

    private static double intersection(double[] f, int p, int q, double s) {
        double xp = p * s;
        double xq = q * s;
        return ((f[q] + xq * xq) - (f[p] + xp * xp)) / (2 * (xq - xp));
    }
}
