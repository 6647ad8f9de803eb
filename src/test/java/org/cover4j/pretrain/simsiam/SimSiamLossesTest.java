package org.cover4j.pretrain.simsiam;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.cover4j.testing.HandSums.cos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SimSiam's symmetrised negative cosine against hand values and double sums, and its collapse monitor. */
class SimSiamLossesTest {
    @Test
    void oneSampleByHand() {
        // p₁ = (1,0), p₂ = (1,1); z₁ = (0,1), z₂ = (3,4): −½(3/5 + 1/√2).
        try (StepScope s = StepScope.open()) {
            Tensor p = Tensors.of(new float[] {1, 0, 1, 1}, 2, 2);
            Tensor z = Tensors.of(new float[] {0, 1, 3, 4}, 2, 2);
            assertEquals(-0.5 * (0.6 + 1 / Math.sqrt(2)), SimSiamLosses.symmetric(p, z).item_double(), 1e-6);
        }
    }

    @Test
    void matchesHalfTheTwoDirectionsAndStopsTheProjectionsGradient() {
        int b = 3;
        int d = 4;
        Rng rng = new Rng(2);
        float[] p = new float[2 * b * d];
        float[] z = new float[2 * b * d];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) rng.nextGaussian();
            z[i] = (float) rng.nextGaussian();
        }
        double d12 = 0;
        double d21 = 0;
        for (int i = 0; i < b; i++) {
            d12 -= cos(p, i, z, b + i, d) / b;
            d21 -= cos(p, b + i, z, i, d) / b;
        }
        try (StepScope s = StepScope.open()) {
            Tensor pt = Tensors.of(p, 2 * b, d);
            Tensor zt = Tensors.of(z, 2 * b, d);
            pt.set_requires_grad(true);
            zt.set_requires_grad(true);
            Tensor loss = SimSiamLosses.symmetric(pt, zt);
            assertEquals(0.5 * d12 + 0.5 * d21, loss.item_double(), 1e-6);
            loss.backward();
            assertTrue(pt.grad().defined());
            assertFalse(zt.grad().defined(), "no gradient through z (stop-gradient)");
        }
    }

    @Test
    void normalizedStdIsZeroForACollapsedBatchAndPositiveOtherwise() {
        try (StepScope s = StepScope.open()) {
            // Identical directions (different lengths normalise to the same vector).
            Tensor same = Tensors.of(new float[] {1, 2, 3, 2, 4, 6, 0.5f, 1, 1.5f}, 3, 3);
            assertEquals(0, SimSiamLosses.normalizedStd(same), 1e-7);
            // (1,0) and (0,1): each dimension holds {1, 0}, unbiased std √½.
            assertEquals(Math.sqrt(0.5), SimSiamLosses.normalizedStd(Tensors.of(new float[] {1, 0, 0, 1}, 2, 2)), 1e-12);
            // Random directions in D dimensions: about 1/√D.
            int n = 256;
            int dim = 64;
            float[] v = new float[n * dim];
            Rng rng = new Rng(4);
            for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
            assertEquals(1 / Math.sqrt(dim), SimSiamLosses.normalizedStd(Tensors.of(v, n, dim)), 0.1 / Math.sqrt(dim));
        }
    }
}
