package org.cover4j.metrics;

import java.util.Arrays;

/**
 * Descriptive statistics and correlations for comparing methods and relating metrics to each other.
 * Conventions follow numpy/scipy: sample standard deviation ({@code ddof=1}), numpy's linear-interpolation
 * percentile, and scipy's {@code pearsonr}/{@code spearmanr} two-sided p-values from Student's t with
 * {@code n - 2} degrees of freedom.
 */
public final class Statistics {
    private Statistics() {
    }

    /** A correlation coefficient, its two-sided p-value and the number of pairs it was computed from. */
    public record Correlation(double r, double p, int n) {
    }

    /** A paired comparison a − b: the differences' mean and sample sd, Student's t, its two-sided p-value and the number of pairs. */
    public record Paired(double meanDiff, double sdDiff, double t, double p, int n) {
    }

    /**
     * Paired t-test of {@code a} against {@code b} (same length; pair i = one seed run both ways), as scipy's
     * {@code ttest_rel}: t = mean(d) / (sd(d)/√n) with n − 1 degrees of freedom. NaN t and p for fewer than two pairs or
     * constant differences.
     */
    public static Paired pairedT(double[] a, double[] b) {
        checkPaired(a, b);
        int n = a.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = a[i] - b[i];
        double m = mean(d);
        double sd = sd(d);
        double t = n < 2 || sd == 0 ? Double.NaN : m / (sd / Math.sqrt(n));
        return new Paired(m, sd, t, SpecialFunctions.studentTTwoSided(t, n - 1), n);
    }

    /**
     * Exact two-sided sign test: the probability, with each of {@code better + worse} untied pairs equally likely to go
     * either way, of a split at least as uneven as the one seen ({@code scipy.stats.binomtest(better, better + worse)}'s
     * p-value; ties are left out before calling). 1 when there are no untied pairs.
     */
    public static double signTest(int better, int worse) {
        if (better < 0 || worse < 0) throw new IllegalArgumentException("negative counts " + better + ", " + worse);
        int n = better + worse;
        int k = Math.min(better, worse);
        if (n == 0 || 2 * k == n) return 1.0;
        // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so that large n does not overflow.
        double tail = 0;
        for (int i = 0; i <= k; i++) {
            tail += Math.exp(SpecialFunctions.logGamma(n + 1) - SpecialFunctions.logGamma(i + 1) - SpecialFunctions.logGamma(n - i + 1) - n * Math.log(2));
        }
        return Math.min(1.0, 2 * tail);
    }

    /** Arithmetic mean; NaN for an empty array. */
    public static double mean(double[] x) {
        if (x.length == 0) return Double.NaN;
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** Mean of the values that are not NaN (infinities kept, as numpy's {@code nanmean}); NaN if none. */
    public static double nanMean(double[] x) {
        double s = 0;
        int n = 0;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                s += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** Number of values that are not NaN. */
    public static int countNotNaN(double[] x) {
        int n = 0;
        for (double v : x) if (!Double.isNaN(v)) n++;
        return n;
    }

    /** Sample standard deviation (divisor {@code n - 1}); NaN for fewer than two values. */
    public static double sd(double[] x) {
        if (x.length < 2) return Double.NaN;
        double m = mean(x);
        double ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / (x.length - 1));
    }

    /**
     * The {@code q}-th percentile ({@code 0 <= q <= 100}) with numpy's default linear interpolation between
     * the two closest ranks: position {@code q/100 * (n - 1)} in the sorted values. NaN for an empty array.
     */
    public static double percentile(double[] values, double q) {
        return percentiles(values, q)[0];
    }

    /** Median (the 50th percentile, numpy's {@code median}); NaN for an empty array. */
    public static double median(double[] values) {
        return percentile(values, 50);
    }

    /** Several percentiles of the same values, as {@link #percentile}, sorting one copy once (for large arrays). */
    public static double[] percentiles(double[] values, double... qs) {
        for (double q : qs) {
            if (!(q >= 0 && q <= 100)) throw new IllegalArgumentException("percentile must be in [0, 100], got " + q);
        }
        double[] out = new double[qs.length];
        if (values.length == 0) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        for (int k = 0; k < qs.length; k++) {
            double pos = qs[k] / 100.0 * (s.length - 1);
            int lo = (int) Math.floor(pos);
            int hi = Math.min(lo + 1, s.length - 1);
            double frac = pos - lo;
            out[k] = frac == 0 ? s[lo] : s[lo] + frac * (s[hi] - s[lo]);
        }
        return out;
    }

    /**
     * Counts of {@code values} in {@code bins} equal bins over {@code [lo, hi]}, as numpy's {@code histogram}:
     * every bin is half-open {@code [a, b)} except the last, which includes {@code hi}; values outside the range
     * and NaN are not counted.
     */
    public static long[] histogram(double[] values, double lo, double hi, int bins) {
        if (bins < 1 || !(hi > lo)) throw new IllegalArgumentException("histogram needs bins >= 1 and lo < hi, got " + bins + ", [" + lo + ", " + hi + "]");
        long[] counts = new long[bins];
        double width = (hi - lo) / bins;
        for (double v : values) {
            if (!(v >= lo && v <= hi)) continue;
            int b = (int) ((v - lo) / width);
            counts[Math.min(b, bins - 1)]++;
        }
        return counts;
    }

    /**
     * Pearson's r with the two-sided p-value of {@code t = r sqrt((n-2)/(1-r^2))} under Student's t with
     * {@code n - 2} degrees of freedom (scipy's {@code pearsonr}). r is NaN when either series is constant;
     * p is NaN for fewer than three pairs.
     */
    public static Correlation pearson(double[] x, double[] y) {
        checkPaired(x, y);
        int n = x.length;
        double mx = mean(x);
        double my = mean(y);
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (n < 2 || sxx == 0 || syy == 0) return new Correlation(Double.NaN, Double.NaN, n);
        double r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
        return new Correlation(r, pValue(r, n), n);
    }

    /** Spearman's rho: Pearson's r of the average ranks (ties share their mean rank), same p-value as scipy. */
    public static Correlation spearman(double[] x, double[] y) {
        checkPaired(x, y);
        return pearson(ranks(x), ranks(y));
    }

    /** 1-based ranks; tied values get the mean of the ranks they span (scipy's {@code rankdata} "average"). */
    public static double[] ranks(double[] x) {
        int n = x.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && x[order[j + 1]] == x[order[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[order[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    private static double pValue(double r, int n) {
        if (n < 3) return Double.NaN;
        if (Math.abs(r) == 1) return 0.0;
        double df = n - 2;
        double t = r * Math.sqrt(df / ((1 - r) * (1 + r)));
        return SpecialFunctions.studentTTwoSided(t, df);
    }

    private static void checkPaired(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("correlation needs paired values, got " + x.length + " and " + y.length);
        }
    }
}
