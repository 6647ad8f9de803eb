package org.cover4j.train;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

/**
 * An exponential-moving-average target network (BYOL's, MoCo's): stateless helpers over an online network's
 * {@link Params} and its frozen copy, whose tensors have the online names under a prefix (e.g. {@code target.}).
 */
public final class Ema {
    private Ema() {}

    /**
     * BYOL's cosine schedule of the decay: τ = 1 − (1 − τ_base)·(cos(π·k/K) + 1)/2, τ_base at step 0 rising to 1 at
     * step K (Grill et al. 2020, §3.2).
     */
    public static double cosineTau(double base, long step, long totalSteps) {
        return 1 - (1 - base) * (Math.cos(Math.PI * step / totalSteps) + 1) / 2;
    }

    /**
     * target ← τ·target + (1 − τ)·online for every trainable tensor of {@code online}. Buffers (BatchNorm's running
     * statistics) are not averaged: each network's are updated by its own forward passes, as in BYOL's PyTorch ports.
     */
    public static void update(Params online, Params target, String prefix, double tau) {
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : online.trainableNames()) {
                target.get(prefix + n).mul_(Ops.s(tau)).add_(online.get(n), Ops.s(1 - tau));
            }
        }
    }

    /** Sets every tensor of {@code target} (parameters and buffers) to its online counterpart's values: the start. */
    public static void copy(Params online, Params target, String prefix) {
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : online.names()) target.get(prefix + n).copy_(online.get(n));
        }
    }
}
