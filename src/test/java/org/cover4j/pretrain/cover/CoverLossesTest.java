package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written gradients of the masked cosine loss against autograd through {@link CoverLosses#maskedCosine}. */
class CoverLossesTest {
    @ParameterizedTest(name = "{0}D, a channels-last: {1}")
    @CsvSource({"2,false", "3,false", "2,true", "3,true"})
    void maskedCosineGradientsEqualAutograd(int dims, boolean aChannelsLast) {
        try (StepScope s = StepScope.open()) {
            long[] shape = dims == 2 ? new long[] {2, 5, 6, 7} : new long[] {2, 5, 4, 3, 5};
            long[] maskShape = shape.clone();
            maskShape[1] = 1;
            Rng rng = new Rng(11 + dims);
            float[] av = random(rng, shape);
            float[] bv = random(rng, shape);
            long positions = av.length / shape[1];
            // Position 0 of a is a tiny vector and position 1 of b a zero one: their norms are floored at 1e-12, and
            // clamp's gradient cuts the norm's term there.
            for (int c = 0; c < shape[1]; c++) av[(int) (c * positions / shape[0])] = 1e-13f;
            for (int c = 0; c < shape[1]; c++) bv[(int) (c * positions / shape[0]) + 1] = 0;
            float[] mv = new float[av.length / (int) shape[1]];
            for (int i = 0; i < mv.length; i++) mv[i] = rng.nextDouble() < 0.7 ? 1 : 0;
            mv[0] = 1;
            mv[1] = 1;
            // With a channels-last and b contiguous (as the backbone's features and the warped ones were) the loss is
            // computed in a's layout and each gradient comes back in its own input's layout.
            Tensor a = Autograd.leaf(aChannelsLast ? Ops.channelsLast(Tensors.of(av, shape)) : Tensors.of(av, shape));
            Tensor b = Autograd.leaf(Tensors.of(bv, shape));
            Tensor mask = Tensors.of(mv, maskShape);

            Tensor expected = CoverLosses.maskedCosine(a, b, mask);
            Autograd.backward(List.of(expected), List.of(Tensors.of(new float[] {1f}, new long[0])));
            Tensor[] actual = CoverLosses.maskedCosineWithGradients(a, b, mask);

            assertEquals(expected.item_double(), actual[0].item_double(), 1e-6, "loss");
            assertClose("dL/da", Tensors.toArray(a.grad()), Tensors.toArray(actual[1]));
            assertClose("dL/db", Tensors.toArray(b.grad()), Tensors.toArray(actual[2]));
            assertEquals(aChannelsLast, Ops.isChannelsLast(actual[1]), "dL/da in a's layout");
            assertTrue(actual[2].is_contiguous(), "dL/db in b's layout");
        }
    }

    private static float[] random(Rng rng, long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }

    /**
     * Element by element within 1e-5 of the expected value (plus 1e-9): the gradients at the zero vectors are about
     * 1e10 (divided by the floored norm), the others about 1e-3, so a tolerance relative to the largest would hide
     * everything else.
     */
    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        int nonZero = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != 0) nonZero++;
            double tol = 1e-5 * Math.abs(expected[i]) + 1e-9;
            assertTrue(Math.abs((double) actual[i] - expected[i]) <= tol,
                    String.format("%s[%d]: expected %.6g, got %.6g", what, i, expected[i], actual[i]));
        }
        assertTrue(nonZero > expected.length / 2, what + ": mostly zero");
    }
}
