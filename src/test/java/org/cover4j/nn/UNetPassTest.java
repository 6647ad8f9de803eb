package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written backward of {@link UNetPass} against autograd through {@link UNet#levels}: the same levels and,
 * for random gradients on the levels, the same gradient for every parameter — in 2D and 3D, for a batch run whole
 * and in uneven chunks (through every level, or through the finest levels with the coarse ones on the whole batch),
 * with one level receiving no gradient, and with gradients accumulated over two passes.
 */
class UNetPassTest {
    private static final int BATCH = 3;

    @ParameterizedTest(name = "{0}D, {1} image(s) per chunk through the {2} finest levels")
    @CsvSource({"2,3,5", "2,2,5", "3,1,5", "3,2,5", "2,1,1", "2,2,2", "3,1,4", "3,2,3"})
    void gradientsEqualAutograd(int dims, long perChunk, int chunkedLevels) {
        try (StepScope s = StepScope.open()) {
            int size = dims == 2 ? 32 : 16;
            long[] shape = dims == 2 ? new long[] {BATCH, 1, size, size} : new long[] {BATCH, 1, size, size, size};
            Rng rng = new Rng(7 + dims);
            Tensor images = random(rng, shape);
            Params referenceParams = new Params(Devices.parse("cpu"));
            Params manualParams = new Params(Devices.parse("cpu"));
            UNet reference = unet(referenceParams, dims);
            UNet manual = unet(manualParams, dims);

            List<Tensor> expectedLevels = reference.levels(images);
            List<Tensor> grads = new ArrayList<>();
            for (int i = 0; i < 5; i++) grads.add(i == 2 ? null : random(rng, expectedLevels.get(i).shape()));
            grads.get(3).narrow(0, 0, 1).zero_(); // image 0 gets no level-3 gradient in the second pass below
            Autograd.backward(expectedLevels, grads);

            // Two passes over the same images: the second adds to the gradients the first set. The first gets the
            // gradients for the whole batch, the second per part (image 0, images 1-2) with image 0's level-3 gradient
            // missing: chunks then lie inside a part or span both. Chunks of another batch size round differently
            // inside the convolutions (about 1e-6 of the scale).
            for (int pass = 0; pass < 2; pass++) {
                UNetPass p = UNetPass.run(manual, images, new BackwardChunking(perChunk, chunkedLevels));
                for (int i = 0; i < 5; i++) {
                    assertClose("level " + i, Tensors.toArray(expectedLevels.get(i)), Tensors.toArray(p.levels().get(i)), 1e-5);
                }
                if (pass == 0) {
                    p.backward(copies(grads, 0, BATCH));
                } else {
                    List<Tensor> first = copies(grads, 0, 1);
                    first.set(3, null);
                    p.backward(List.of(first, copies(grads, 1, BATCH - 1)), 1, BATCH - 1);
                }
            }
            int checked = 0;
            for (String name : referenceParams.trainableNames()) {
                float[] expected = Tensors.toArray(referenceParams.get(name).grad());
                for (int i = 0; i < expected.length; i++) expected[i] *= 2;
                assertClose(name + " gradient", expected, Tensors.toArray(manualParams.get(name).grad()), 2e-5);
                checked++;
            }
            assertEquals(9 * 8, checked, "parameters compared (9 DoubleConvs of 2 convs and 2 norms, weight and bias)");
        }
    }

    /** Copies of images {@code [from, from + n)} of each gradient (backward releases what it is given). */
    private static List<Tensor> copies(List<Tensor> grads, long from, long n) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor g : grads) out.add(g == null ? null : g.narrow(0, from, n).clone());
        return out;
    }

    static UNet unet(Params params, int dims) {
        return new UNet(params, "", dims, 1, CoverConfig.SMALL_CHANNELS, new Rng(3));
    }

    static Tensor random(Rng rng, long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensors.of(v, shape);
    }

    /** max|Δ| ≤ tol · max|expected|, and the expected values are not all zero (the comparison means something). */
    static void assertClose(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        }
        assertTrue(scale > 0, what + ": all zero");
        assertTrue(worst <= tol * scale, String.format("%s: max |diff| %.3g at scale %.3g", what, worst, scale));
    }
}
