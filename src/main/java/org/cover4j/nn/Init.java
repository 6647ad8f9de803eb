package org.cover4j.nn;

import org.cover4j.util.Rng;

/** PyTorch's parameter initialisations, drawn from the project's seeded generator. */
public final class Init {
    private Init() {}

    /** {@code kaiming_normal_(fan_in, leaky_relu a=0)}: N(0, 2/fan_in). */
    public static float[] kaimingNormal(Rng rng, int n, long fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (rng.nextGaussian() * std);
        return w;
    }

    /** PyTorch's default conv weight and bias init: U(±1/√fan_in) (kaiming_uniform with a=√5). */
    public static float[] uniformFanIn(Rng rng, int n, long fanIn) {
        double bound = 1.0 / Math.sqrt(fanIn);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) rng.uniform(-bound, bound);
        return w;
    }

    /**
     * {@code trunc_normal_(std=std, a=lo, b=hi)}: N(0, std²) restricted to [lo, hi] (absolute bounds, as timm's), by
     * redrawing values outside (the same distribution as PyTorch's inverse-CDF method, not the same numbers).
     */
    public static float[] truncNormal(Rng rng, int n, double std, double lo, double hi) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            double v;
            do {
                v = rng.nextGaussian() * std;
            } while (v < lo || v > hi);
            w[i] = (float) v;
        }
        return w;
    }

    public static float[] constant(int n, float v) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, v);
        return w;
    }
}
