package org.cover4j.train;

import org.cover4j.nn.Params;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The moving-average target: one update by hand, the copy, and the ends and middle of the cosine schedule. */
class EmaTest {
    static Params online() {
        Params p = new Params(null);
        p.add("w", new float[] {1, 2, -3}, 3);
        p.addBuffer("stat", new float[] {10}, 1);
        return p;
    }

    static Params target() {
        Params t = new Params(null);
        t.add("target.w", new float[] {5, 0, 1}, 3);
        t.addBuffer("target.stat", new float[] {7}, 1);
        return t.freeze();
    }

    @Test
    void oneUpdateMovesTheTargetTowardsTheOnlineParametersOnly() {
        Params online = online();
        Params target = target();
        try (StepScope s = StepScope.open()) {
            Ema.update(online, target, "target.", 0.75);
        }
        // 0.75·target + 0.25·online
        assertArrayEquals(new float[] {0.75f * 5 + 0.25f * 1, 0.25f * 2, 0.75f * 1 + 0.25f * -3}, Tensors.toArray(target.get("target.w")), 1e-6f);
        assertArrayEquals(new float[] {7}, Tensors.toArray(target.get("target.stat")), 0f, "buffers are not averaged");
    }

    @Test
    void copyMakesTheTargetEqualToTheOnlineNetwork() {
        Params online = online();
        Params target = target();
        Ema.copy(online, target, "target.");
        assertArrayEquals(new float[] {1, 2, -3}, Tensors.toArray(target.get("target.w")), 0f);
        assertArrayEquals(new float[] {10}, Tensors.toArray(target.get("target.stat")), 0f);
    }

    @Test
    void cosineScheduleRisesFromTheBaseToOne() {
        assertEquals(0.996, Ema.cosineTau(0.996, 0, 100), 1e-15, "τ_base at step 0");
        assertEquals(1.0, Ema.cosineTau(0.996, 100, 100), 1e-15, "1 at the last step");
        assertEquals(0.998, Ema.cosineTau(0.996, 50, 100), 1e-12, "half way at mid-run");
        // 1 − 0.01·(cos(π/4) + 1)/2 at a quarter.
        assertEquals(1 - 0.01 * (Math.sqrt(0.5) + 1) / 2, Ema.cosineTau(0.99, 25, 100), 1e-12);
    }
}
