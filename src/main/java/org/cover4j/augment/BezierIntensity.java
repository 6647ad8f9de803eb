package org.cover4j.augment;

import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * Models Genesis's non-linear intensity transformation (official {@code nonlinear_transformation}): a cubic
 * Bézier curve from P0 = (0, 0) through random control points P1, P2 ∈ [0, 1)² to P3 = (1, 1), sampled at
 * {@value #POINTS} values of t, used as a lookup table with linear interpolation ({@code numpy.interp}).
 *
 * <p>The official code builds the curve with the Bernstein weights reversed (its t = 0 is P3), sorts the x
 * values, and then either sorts the y values too (an increasing mapping) or, with probability 0.5, keeps them
 * in its own order — which, in the usual parameterisation used here, is the curve's y values REVERSED: a
 * mapping from 0 to 1 and 1 to 0, decreasing wherever the curve's y is monotone in t (it need not be: the
 * pairing of sorted x with unsorted y is the official code's, kept as it is).
 */
public final class BezierIntensity {
    /** Number of t values (official {@code nTimes=100000}). */
    public static final int POINTS = 100_000;
    /** Probability of the decreasing mapping. */
    public static final double REVERSE_RATE = 0.5;

    private BezierIntensity() {}

    /**
     * The curve {@code B(t) = (1−t)³P0 + 3(1−t)²t·P1 + 3(1−t)t²·P2 + t³P3} with P0 = (0, 0), P3 = (1, 1), at
     * {@code n ≥ 2} values of t evenly spaced over [0, 1] (first 0, last 1).
     *
     * @return {@code {xs, ys}}, each of length n, in order of t
     */
    public static double[][] bezierCurve(double[] p1, double[] p2, int n) {
        if (n < 2) throw new IllegalArgumentException("Bézier curve: need at least 2 points, got " + n);
        double[] xs = new double[n], ys = new double[n];
        for (int k = 0; k < n; k++) {
            double t = k == n - 1 ? 1.0 : (double) k / (n - 1);
            double s = 1 - t;
            double w1 = 3 * s * s * t, w2 = 3 * s * t * t, w3 = t * t * t;   // P0's weight multiplies 0
            xs[k] = w1 * p1[0] + w2 * p2[0] + w3;
            ys[k] = w1 * p1[1] + w2 * p2[1] + w3;
        }
        return new double[][] {xs, ys};
    }

    /**
     * The lookup table {@code {xp, fp}} of the official code: x values sorted ascending; y values sorted
     * ascending (increasing mapping) or, when {@code decreasing}, in reverse order of t.
     */
    public static double[][] mapping(double[] p1, double[] p2, boolean decreasing, int n) {
        double[][] curve = bezierCurve(p1, p2, n);
        double[] xp = curve[0], fp = curve[1];
        Arrays.sort(xp);
        if (decreasing) {
            for (int i = 0, j = n - 1; i < j; i++, j--) {
                double t = fp[i];
                fp[i] = fp[j];
                fp[j] = t;
            }
        } else {
            Arrays.sort(fp);
        }
        return new double[][] {xp, fp};
    }

    /**
     * {@code x ← numpy.interp(x, xp, fp)} in place: {@code fp[0]} below {@code xp[0]}, {@code fp[last]} from
     * {@code xp[last]} on, linear between the neighbouring table entries otherwise; NaN stays NaN.
     * {@code xp} must be non-decreasing. Computed in double, stored as float.
     */
    public static void applyIntensityMapping(float[] x, double[] xp, double[] fp) {
        if (xp.length != fp.length || xp.length == 0) {
            throw new IllegalArgumentException("intensity mapping: table of " + xp.length + " x and " + fp.length + " y values");
        }
        int last = xp.length - 1;
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            if (Double.isNaN(v)) continue;
            double r;
            if (v < xp[0]) {
                r = fp[0];
            } else if (v >= xp[last]) {
                r = fp[last];
            } else {
                int j = lastAtMost(xp, v);   // xp[j] ≤ v < xp[j+1], so the step is positive
                double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
                r = slope * (v - xp[j]) + fp[j];   // numpy's formula
            }
            x[i] = (float) r;
        }
    }

    /** The largest j with {@code xp[j] ≤ v}, given {@code xp[0] ≤ v < xp[last]}. */
    private static int lastAtMost(double[] xp, double v) {
        int lo = 0, hi = xp.length - 1;   // invariant: xp[lo] ≤ v < xp[hi]
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (xp[mid] <= v) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Draws P1 = (U, U), P2 = (U, U), then the decreasing coin ({@value #REVERSE_RATE}), and maps {@code x} in place.
     *
     * @return whether the mapping was the decreasing one
     */
    public static boolean randomMapping(float[] x, Rng rng) {
        double[] p1 = {rng.nextDouble(), rng.nextDouble()};
        double[] p2 = {rng.nextDouble(), rng.nextDouble()};
        boolean decreasing = rng.nextDouble() < REVERSE_RATE;
        double[][] table = mapping(p1, p2, decreasing, POINTS);
        applyIntensityMapping(x, table[0], table[1]);
        return decreasing;
    }
}
