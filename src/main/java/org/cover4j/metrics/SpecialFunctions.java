package org.cover4j.metrics;

/**
 * The few special functions the statistics need: log-gamma, the regularized incomplete beta function
 * and the Student-t tail built on it. Written here rather than pulling in a numerics library for three
 * functions.
 */
public final class SpecialFunctions {
    private SpecialFunctions() {
    }

    // Lanczos approximation, g = 7, n = 9 (the coefficients used by many libraries; ~1e-15 relative).
    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7};

    /** {@code ln Γ(x)} for {@code x > 0}. */
    public static double logGamma(double x) {
        if (!(x > 0)) throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
        if (x < 0.5) {
            // Reflection keeps the approximation in its accurate range.
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double xm = x - 1;
        double sum = LANCZOS[0];
        double t = xm + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (xm + i);
        return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /**
     * Regularized incomplete beta function {@code I_x(a, b)} for {@code a, b > 0}, {@code 0 <= x <= 1},
     * by its continued fraction (modified Lentz), using the symmetry {@code I_x(a,b) = 1 - I_{1-x}(b,a)}
     * where the fraction converges slowly.
     */
    public static double regularizedIncompleteBeta(double a, double b, double x) {
        if (!(a > 0) || !(b > 0)) throw new IllegalArgumentException("incomplete beta needs a, b > 0");
        if (Double.isNaN(x) || x < 0 || x > 1) throw new IllegalArgumentException("incomplete beta needs 0 <= x <= 1, got " + x);
        if (x == 0 || x == 1) return x;
        double logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * continuedFraction(a, b, x) / a;
        }
        return 1 - Math.exp(logFront) * continuedFraction(b, a, 1 - x) / b;
    }

    private static double continuedFraction(double a, double b, double x) {
        final double tiny = 1e-300;
        final double eps = 1e-16;
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 1000; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = 1 + aa / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = 1 + aa / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < eps) return h;
        }
        return h; // not reached for the arguments the t test produces; the last iterate is accurate to ~1e-12
    }

    /** Two-sided p-value {@code P(|T| >= |t|)} of Student's t with {@code df} degrees of freedom. */
    public static double studentTTwoSided(double t, double df) {
        if (Double.isNaN(t) || !(df > 0)) return Double.NaN;
        if (Double.isInfinite(t)) return 0.0;
        return regularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
    }
}
