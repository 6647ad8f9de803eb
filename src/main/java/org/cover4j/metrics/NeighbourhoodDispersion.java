package org.cover4j.metrics;

import java.util.Arrays;

/**
 * Local feature dispersion, the COVER paper's measure of how smoothly a dense feature map varies (He &amp; Li,
 * ICCV 2025, supplementary Eq. 3): for pixel {@code i} and its neighbourhood {@code N(i)},
 * <pre>  delta_i = max_{j,k in N(i)} | cos(f_i, f_j) - cos(f_i, f_k) | = max_j cos(f_i, f_j) - min_k cos(f_i, f_k)</pre>
 * Dividing by {@link #COSINE_RANGE} (the range of the cosine similarity, the paper's Delta) gives values in [0, 1].
 *
 * <p>Choices the paper leaves open:
 * <ul>
 *   <li>{@code N(i)} is the {@code (2r+1)^d} box of radius {@code r} around {@code i}, clipped to the image (no
 *       padding: pixels at the border have fewer neighbours), and includes {@code i} itself. Because
 *       {@code cos(f_i, f_i) = 1}, for a non-zero {@code f_i} the value is {@code 1 - min_k cos(f_i, f_k)}: the
 *       largest cosine distance from {@code i} to a neighbour.</li>
 *   <li>A zero vector has no direction: its cosine similarity with anything (itself included) is taken as 0, so a
 *       zero {@code f_i} has {@code delta_i = 0}, and a zero neighbour counts as an orthogonal one.</li>
 *   <li>A non-finite feature value makes {@code delta} NaN at every pixel whose window holds it.</li>
 *   <li>Rounding can put a cosine a few ulps outside [-1, 1]; it is clamped, so {@code delta_i} stays in [0, 2].</li>
 * </ul>
 *
 * <p>Cost: the vectors are normalised once, so each pixel costs {@code |N(i)|} dot products of length C rather
 * than the {@code |N(i)|^2} pairs of the definition (max minus min over one pass equals the max over pairs).
 */
public final class NeighbourhoodDispersion {
    /** The range of the cosine similarity, Delta in the paper: {@code delta / COSINE_RANGE} lies in [0, 1]. */
    public static final double COSINE_RANGE = 2;

    private NeighbourhoodDispersion() {
    }

    /** Summary of normalised dispersions {@code delta / Delta} over many pixels. */
    public record Summary(long pixels, double mean, double median, double p95, long[] histogram) {
        /** Mean, median, 95th percentile (numpy's interpolation) and a histogram of {@code bins} equal bins over [0, 1]. */
        public static Summary of(double[] normalised, int bins) {
            double[] q = Statistics.percentiles(normalised, 50, 95);
            return new Summary(normalised.length, Statistics.mean(normalised), q[0], q[1],
                    Statistics.histogram(normalised, 0, 1, bins));
        }
    }

    /**
     * {@code delta_i} for every pixel of one feature map.
     *
     * @param features C-order {@code (channels, *spatial)}, as one image of a {@code (B, C, *spatial)} tensor
     * @param spatial  2 or 3 spatial sizes
     * @param radius   neighbourhood radius, at least 1
     * @return {@code delta_i} in [0, 2], C-order over {@code spatial}
     */
    public static double[] deltas(float[] features, int channels, int[] spatial, int radius) {
        if (spatial.length != 2 && spatial.length != 3) {
            throw new IllegalArgumentException("feature map needs 2 or 3 spatial axes, got " + Arrays.toString(spatial));
        }
        if (radius < 1) throw new IllegalArgumentException("neighbourhood radius must be at least 1, got " + radius);
        if (channels < 1) throw new IllegalArgumentException("feature map needs at least one channel, got " + channels);
        long n = 1;
        for (int s : spatial) {
            if (s < 1) throw new IllegalArgumentException("non-positive spatial size in " + Arrays.toString(spatial));
            n *= s;
        }
        if (n * channels != features.length) {
            throw new IllegalArgumentException(features.length + " values are not " + channels + " channels x " + Arrays.toString(spatial));
        }
        // A 2D map is a 3D one with a single slice in front: one loop serves both.
        int[] box = spatial.length == 3 ? spatial : new int[] {1, spatial[0], spatial[1]};
        float[] unit = unitVectors(features, channels, (int) n);
        double[] out = new double[(int) n];
        for (int a = 0; a < box[0]; a++) {
            for (int b = 0; b < box[1]; b++) {
                for (int c = 0; c < box[2]; c++) {
                    int i = (a * box[1] + b) * box[2] + c;
                    out[i] = windowSpread(unit, channels, box, radius, i, a, b, c);
                }
            }
        }
        return out;
    }

    /** max - min of {@code cos(f_i, f_j)} over the clipped window around {@code (a, b, c)}. */
    private static double windowSpread(float[] unit, int channels, int[] box, int radius, int i, int a, int b, int c) {
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        for (int aj = Math.max(0, a - radius); aj <= Math.min(box[0] - 1, a + radius); aj++) {
            for (int bj = Math.max(0, b - radius); bj <= Math.min(box[1] - 1, b + radius); bj++) {
                int row = (aj * box[1] + bj) * box[2];
                for (int cj = Math.max(0, c - radius); cj <= Math.min(box[2] - 1, c + radius); cj++) {
                    double cos = Math.max(-1, Math.min(1, dot(unit, channels, i, row + cj)));
                    if (Double.isNaN(cos)) return Double.NaN; // a non-finite feature has no dispersion
                    if (cos > max) max = cos;
                    if (cos < min) min = cos;
                }
            }
        }
        return max - min;
    }

    private static double dot(float[] unit, int channels, int i, int j) {
        int pi = i * channels;
        int pj = j * channels;
        double s = 0;
        for (int k = 0; k < channels; k++) s += (double) unit[pi + k] * unit[pj + k];
        return s;
    }

    /** Pixel-major {@code (n, C)} unit vectors (zero vectors stay zero, so every cosine with them is 0). */
    private static float[] unitVectors(float[] features, int channels, int n) {
        float[] unit = new float[features.length];
        for (int p = 0; p < n; p++) {
            double norm = 0;
            for (int k = 0; k < channels; k++) {
                double v = features[k * n + p];
                norm += v * v;
            }
            if (norm == 0) continue;
            double inv = 1 / Math.sqrt(norm);
            for (int k = 0; k < channels; k++) unit[p * channels + k] = (float) (features[k * n + p] * inv);
        }
        return unit;
    }
}
