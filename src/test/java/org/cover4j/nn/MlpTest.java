package org.cover4j.nn;

import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MLP heads: nn.Sequential names, nn.Linear's initialisation bounds, and a forward pass worked by hand. */
class MlpTest {
    @Test
    void namesFollowTheSequentialIndicesAndLinearWeightsStayWithinTheirBound() {
        Params params = new Params(null);
        Mlp.builder(params, "head", new Rng(1)).linear(16, 64, true).batchNorm(64, true).relu().linear(64, 4, false).build();
        assertEquals(List.of("head.0.weight", "head.0.bias", "head.1.weight", "head.1.bias", "head.1.running_mean",
                "head.1.running_var", "head.1.num_batches_tracked", "head.3.weight"), params.names());
        assertArrayEquals(new long[] {64, 16}, params.shape("head.0.weight"));
        assertArrayEquals(new long[] {4, 64}, params.shape("head.3.weight"));
        // U(±1/√fan_in): every value within the bound, and the draws fill it (max |w| near the bound).
        for (String n : List.of("head.0.weight", "head.0.bias", "head.3.weight")) {
            double bound = 1 / Math.sqrt(params.shape(n).length == 2 ? params.shape(n)[1] : 16);
            double max = 0;
            for (float v : Tensors.toArray(params.get(n))) max = Math.max(max, Math.abs(v));
            assertTrue(max <= bound && max > 0.9 * bound, n + ": max |w| " + max + " vs bound " + bound);
        }
    }

    @Test
    void forwardIsLinearThenBatchNormThenRelu() {
        Params params = new Params(null);
        Mlp mlp = Mlp.builder(params, "m", new Rng(1)).linear(2, 1, true).batchNorm(1, false).relu().build();
        try (StepScope s = StepScope.open()) {
            params.get("m.0.weight").detach().copy_(Tensors.of(new float[] {1, -2}, 1, 2));
            params.get("m.0.bias").detach().copy_(Tensors.of(new float[] {5}, 1));
            // Rows (1,0), (0,1), (3,1): linear 6, 3, 6; mean 5, biased var 2; normalised 1/√2, −2/√2, 1/√2; ReLU.
            float[] y = Tensors.toArray(mlp.apply(Tensors.of(new float[] {1, 0, 0, 1, 3, 1}, 3, 2)));
            double sd = Math.sqrt(2 + 1e-5);
            assertArrayEquals(new float[] {(float) (1 / sd), 0, (float) (1 / sd)}, y, 1e-6f);
        }
    }
}
