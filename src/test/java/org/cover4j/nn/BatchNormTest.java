package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BatchNorm in training mode against sums written out by hand, and its running statistics. */
class BatchNormTest {
    /** Three samples of two features. */
    static final float[] X = {1, 10, 2, -4, 6, 1};

    @Test
    void normalisesWithTheBatchStatisticsAndUpdatesTheRunningOnes() {
        Params params = new Params(null);
        BatchNorm bn = new BatchNorm(params, "bn", 2, true);
        try (StepScope s = StepScope.open()) {
            // Affine 2·x̂ + 1 for feature 0, −x̂ + 0.5 for feature 1.
            params.get("bn.weight").detach().copy_(Tensors.of(new float[] {2, -1}, 2));
            params.get("bn.bias").detach().copy_(Tensors.of(new float[] {1, 0.5f}, 2));
            float[] y = Tensors.toArray(bn.apply(Tensors.of(X, 3, 2)));
            // Feature 0: 1, 2, 6: mean 3, biased var (4 + 1 + 9)/3 = 14/3, unbiased 7.
            // Feature 1: 10, -4, 1: mean 7/3, biased var ((23/3)² + (19/3)² + (4/3)²)/3 = 906/27, unbiased 151/3.
            double sd0 = Math.sqrt(14.0 / 3 + 1e-5);
            double sd1 = Math.sqrt(906.0 / 27 + 1e-5);
            double m1 = 7.0 / 3;
            double[] expected = {
                    2 * (1 - 3) / sd0 + 1, -(10 - m1) / sd1 + 0.5,
                    2 * (2 - 3) / sd0 + 1, -(-4 - m1) / sd1 + 0.5,
                    2 * (6 - 3) / sd0 + 1, -(1 - m1) / sd1 + 0.5};
            for (int i = 0; i < 6; i++) assertEquals(expected[i], y[i], 1e-5, "output " + i);
            // running = 0.9·initial + 0.1·batch (unbiased variance); initial mean 0, variance 1.
            assertArrayEquals(new float[] {0.3f, (float) (0.1 * m1)}, Tensors.toArray(params.get("bn.running_mean")), 1e-6f);
            assertArrayEquals(new float[] {(float) (0.9 + 0.7), (float) (0.9 + 0.1 * 151.0 / 3)},
                    Tensors.toArray(params.get("bn.running_var")), 1e-5f);
            assertEquals(1f, Tensors.toArray(params.get("bn.num_batches_tracked"))[0]);
            bn.apply(Tensors.of(X, 3, 2));
            assertEquals((float) (0.9 * 0.3 + 0.3), Tensors.toArray(params.get("bn.running_mean"))[0], 1e-6f, "a second update");
            assertEquals(2f, Tensors.toArray(params.get("bn.num_batches_tracked"))[0]);
        }
    }

    @Test
    void withoutAffineOnlyTheRunningStatisticsAreHeldAndTheyAreBuffers() {
        Params params = new Params(null);
        BatchNorm bn = new BatchNorm(params, "bn", 2, false);
        assertEquals(java.util.List.of("bn.running_mean", "bn.running_var", "bn.num_batches_tracked"), params.names());
        assertTrue(params.trainableNames().isEmpty());
        try (StepScope s = StepScope.open()) {
            float[] y = Tensors.toArray(bn.apply(Tensors.of(X, 3, 2)));
            double sd0 = Math.sqrt(14.0 / 3 + 1e-5);
            assertEquals((1 - 3) / sd0, y[0], 1e-5);
            assertEquals((6 - 3) / sd0, y[4], 1e-5);
        }
    }

    @Test
    void gradientsReachTheInputAndTheAffineParameters() {
        Params params = new Params(null);
        BatchNorm bn = new BatchNorm(params, "bn", 2, true);
        try (StepScope s = StepScope.open()) {
            Tensor x = Tensors.of(X, 3, 2);
            x.set_requires_grad(true);
            // Σ w·x̂ against a fixed weighting: d/dbias = 3 per feature, d/dweight = Σ c·x̂.
            Tensor c = Tensors.of(new float[] {1, 0, 0, 0, 0, 0}, 3, 2);
            bn.apply(x).mul(c).sum().backward();
            assertArrayEquals(new float[] {1, 0}, Tensors.toArray(params.get("bn.bias").grad()), 1e-6f);
            assertEquals((1 - 3) / Math.sqrt(14.0 / 3 + 1e-5), Tensors.toArray(params.get("bn.weight").grad())[0], 1e-5);
            assertFalse(Tensors.toArray(x.grad())[0] == 0, "the input gets a gradient");
        }
    }

    @Test
    void aSingleSampleIsRefused() {
        Params params = new Params(null);
        BatchNorm bn = new BatchNorm(params, "bn", 2, true);
        try (StepScope s = StepScope.open()) {
            CoverException e = assertThrows(CoverException.class, () -> bn.apply(Tensors.of(new float[] {1, 2}, 1, 2)));
            assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
        }
    }
}
