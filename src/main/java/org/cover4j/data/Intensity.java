package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * Intensity normalisations: pure functions from a voxel array to a new one (the input is not changed).
 * Statistics are taken over the whole array (all channels together) and accumulated in double precision.
 */
public final class Intensity {
    private Intensity() {}

    /** {@code x / d}, e.g. {@code d = 255} for 8-bit pictures (the reference loader's only normalisation). */
    public static float[] divide(float[] x, double d) {
        if (d == 0 || !Double.isFinite(d)) throw CoverException.usage("cannot divide intensities by " + d);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) (x[i] / d);
        return out;
    }

    /** Linear map of [min, max] to [0, 1]; a constant array maps to all zeros. */
    public static float[] minMax(float[] x) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (!(hi > lo)) return new float[x.length];
        return scale(x, lo, hi);
    }

    /** {@code (clip(x, lo, hi) - lo) / (hi - lo)}: a fixed window (e.g. CT Hounsfield units) mapped to [0, 1]. */
    public static float[] clipScale(float[] x, double lo, double hi) {
        if (!(hi > lo)) throw CoverException.usage("clip window must have lo < hi, got [" + lo + ", " + hi + "]");
        return scale(x, lo, hi);
    }

    /**
     * {@code (x - mean) / std} with the population standard deviation (numpy's and MONAI's
     * NormalizeIntensity). With {@code nonZeroOnly} the statistics come from the non-zero voxels and zero
     * voxels stay zero (background of skull-stripped MRI). A zero std divides by 1, as MONAI does.
     */
    public static float[] zScore(float[] x, boolean nonZeroOnly) {
        double sum = 0, sq = 0;
        long n = 0;
        for (float v : x) {
            if (nonZeroOnly && v == 0f) continue;
            sum += v;
            n++;
        }
        if (n == 0) return x.clone();
        double mean = sum / n;
        for (float v : x) {
            if (nonZeroOnly && v == 0f) continue;
            sq += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(sq / n);
        if (std == 0) std = 1;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = nonZeroOnly && x[i] == 0f ? 0f : (float) ((x[i] - mean) / std);
        }
        return out;
    }

    /**
     * Clip to the {@code pLo}-th and {@code pHi}-th percentiles (0..100, numpy's default linear method) and
     * map that window to [0, 1]; a window of zero width maps to all zeros.
     */
    public static float[] percentileWindow(float[] x, double pLo, double pHi) {
        if (!(pLo >= 0 && pLo < pHi && pHi <= 100)) {
            throw CoverException.usage("percentiles must satisfy 0 <= lo < hi <= 100, got " + pLo + ", " + pHi);
        }
        float[] sorted = x.clone();
        Arrays.sort(sorted);
        double lo = percentileOfSorted(sorted, pLo);
        double hi = percentileOfSorted(sorted, pHi);
        if (!(hi > lo)) return new float[x.length];
        return scale(x, lo, hi);
    }

    /** numpy's {@code np.percentile(x, p)} (linear interpolation between closest ranks), p in 0..100. */
    public static double percentile(float[] x, double p) {
        if (!(p >= 0 && p <= 100)) throw CoverException.usage("percentile must be in 0..100, got " + p);
        float[] sorted = x.clone();
        Arrays.sort(sorted);
        return percentileOfSorted(sorted, p);
    }

    private static double percentileOfSorted(float[] s, double p) {
        if (s.length == 0) throw new CoverException("percentile of an empty image");
        double idx = p / 100.0 * (s.length - 1);
        int lo = (int) Math.floor(idx);
        int hi = Math.min(lo + 1, s.length - 1);
        double f = idx - lo;
        return s[lo] + (s[hi] - (double) s[lo]) * f;
    }

    private static float[] scale(float[] x, double lo, double hi) {
        double w = hi - lo;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = Math.min(Math.max(x[i], lo), hi);
            out[i] = (float) ((v - lo) / w);
        }
        return out;
    }
}
