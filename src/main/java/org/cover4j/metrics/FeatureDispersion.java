package org.cover4j.metrics;

/**
 * How spread out a set of feature vectors is: the mean cosine distance {@code 1 - cos(u, v)} over all
 * unordered pairs of distinct vectors. 0 means every vector points the same way (a collapsed
 * representation); values near 1 mean nearly orthogonal features.
 *
 * <p>Computed in {@code O(n d)} rather than over all pairs: with unit vectors {@code u_i},
 * {@code sum_{i != j} u_i.u_j = |sum_i u_i|^2 - n}. Zero vectors have no direction and are left out.
 */
public final class FeatureDispersion {
    private FeatureDispersion() {
    }

    /** Mean pairwise cosine distance of the rows of {@code features}; NaN with fewer than two non-zero rows. */
    public static double meanPairwiseCosineDistance(float[][] features) {
        if (features.length == 0) return Double.NaN;
        int dim = features[0].length;
        double[] sum = new double[dim];
        int n = 0;
        for (float[] f : features) {
            if (f.length != dim) throw new IllegalArgumentException("feature vectors of lengths " + dim + " and " + f.length);
            double norm = 0;
            for (float v : f) norm += (double) v * v;
            if (norm == 0) continue;
            norm = Math.sqrt(norm);
            for (int k = 0; k < dim; k++) sum[k] += f[k] / norm;
            n++;
        }
        if (n < 2) return Double.NaN;
        double s2 = 0;
        for (double v : sum) s2 += v * v;
        double meanCos = (s2 - n) / ((double) n * (n - 1));
        return 1 - meanCos;
    }

    /** Same for {@code n} vectors of length {@code dim} stored row after row in {@code flat}. */
    public static double meanPairwiseCosineDistance(float[] flat, int n, int dim) {
        if ((long) n * dim != flat.length) throw new IllegalArgumentException(flat.length + " values are not " + n + " x " + dim);
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) rows[i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        return meanPairwiseCosineDistance(rows);
    }
}
