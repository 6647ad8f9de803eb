package org.cover4j.train;

import org.cover4j.util.CoverException;

/**
 * Learning rate per step. {@code constant} is what the reference effectively trains with (its cosine
 * schedule is computed and discarded, SPEC §9); {@code cosine} really applies
 * {@code base·½(1+cos(π·t/T))}, optionally after a linear warm-up.
 */
public record LrSchedule(String kind, double base, int totalSteps, int warmupSteps) {
    /**
     * The largest rate (and weight decay) accepted: Adam's first step multiplies the rate by 10 (bias correction) and
     * libtorch refuses a float32 scalar beyond 3.4e38 (it would fail at the first step with an overflow).
     */
    public static final double MAX = 1e37;

    public LrSchedule {
        if (!kind.equals("constant") && !kind.equals("cosine")) {
            throw CoverException.usage("--schedule must be constant or cosine, got " + kind);
        }
        if (!(base > 0) || base > MAX) throw CoverException.usage("--lr must be a positive number up to " + MAX + ", got " + base);
        if (warmupSteps < 0) throw CoverException.usage("--warmup must be >= 0, got " + warmupSteps);
    }

    /** The rate for 1-based step {@code step}. */
    public double at(long step) {
        if (warmupSteps > 0 && step <= warmupSteps) return base * step / warmupSteps;
        if (kind.equals("constant")) return base;
        long t = step - 1 - warmupSteps;
        long span = Math.max(1, totalSteps - warmupSteps);
        return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, span) / span));
    }
}
