package org.cover4j.pretrain.byol;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.cover4j.testing.HandSums.cos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BYOL's symmetrised loss against hand values and explicit double-precision sums. */
class ByolLossesTest {
    @Test
    void oneSampleByHand() {
        // Views 1 and 2 of one sample: p₁ = (1,0), p₂ = (1,1); z₁′ = (0,1), z₂′ = (3,4).
        // l(p₁, z₂′) = 2 − 2·3/5 = 0.8; l(p₂, z₁′) = 2 − 2/√2.
        try (StepScope s = StepScope.open()) {
            Tensor p = Tensors.of(new float[] {1, 0, 1, 1}, 2, 2);
            Tensor z = Tensors.of(new float[] {0, 1, 3, 4}, 2, 2);
            assertEquals(0.8 + 2 - Math.sqrt(2), ByolLosses.symmetric(p, z).item_double(), 1e-6);
        }
    }

    @Test
    void matchesTheTwoDirectionsSummedAndStopsTheTargetsGradient() {
        int b = 3;
        int d = 5;
        Rng rng = new Rng(9);
        float[] p = new float[2 * b * d];
        float[] z = new float[2 * b * d];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) rng.nextGaussian();
            z[i] = (float) rng.nextGaussian();
        }
        // l(p₁, z₂′) + l(p₂, z₁′), each the mean over the B samples of 2 − 2·cos.
        double expected = 0;
        for (int i = 0; i < b; i++) {
            expected += (2 - 2 * cos(p, i, z, b + i, d)) / b;
            expected += (2 - 2 * cos(p, b + i, z, i, d)) / b;
        }
        try (StepScope s = StepScope.open()) {
            Tensor pt = Tensors.of(p, 2 * b, d);
            Tensor zt = Tensors.of(z, 2 * b, d);
            pt.set_requires_grad(true);
            zt.set_requires_grad(true);
            Tensor loss = ByolLosses.symmetric(pt, zt);
            assertEquals(expected, loss.item_double(), 1e-5);
            loss.backward();
            assertTrue(pt.grad().defined(), "the predictions get a gradient");
            assertFalse(zt.grad().defined(), "no gradient reaches the targets (stop-gradient)");
        }
    }
}
