package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UNet#deepest} is the 5th level of the full pass {@link UNet#levels}, bitwise, and its gradient reaches the
 * encoder and nothing of the decoder, in 2D and 3D.
 */
class UNetDeepestTest {
    private static final int[] CHANNELS = {8, 16, 32, 64, 128, 64, 32, 16, 8};

    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void deepestIsTheFifthLevelAndTrainsOnlyTheEncoder(int dims) {
        try (StepScope s = StepScope.open()) {
            Params params = new Params(Devices.parse("cpu"));
            UNet unet = new UNet(params, "backbone.", dims, 1, CHANNELS, new Rng(5));
            long[] shape = dims == 2 ? new long[] {2, 1, 32, 32} : new long[] {2, 1, 16, 16, 16};
            Rng rng = new Rng(9);
            float[] v = new float[(int) (2 * Math.pow(shape[2], dims))];
            for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble();
            Tensor x = Tensors.of(v, shape);

            float[] expected = Tensors.toArray(unet.levels(x).get(4));
            Tensor deepest = unet.deepest(x);
            assertArrayEquals(new long[] {2, 128, shape[2] / 16}, java.util.Arrays.copyOf(deepest.shape(), 3));
            assertArrayEquals(expected, Tensors.toArray(deepest), 0f);

            deepest.sum().backward();
            assertTrue(hasGradient(params, "backbone.inc.double_conv.0.weight"), "first encoder conv learns");
            assertTrue(hasGradient(params, "backbone.down4.maxpool_conv.1.double_conv.3.weight"), "deepest encoder conv learns");
            assertFalse(hasGradient(params, "backbone.up1.conv.double_conv.0.weight"), "the decoder is not run");
        }
    }

    private static boolean hasGradient(Params params, String name) {
        Tensor g = params.get(name).grad();
        if (g == null || g.isNull() || !g.defined()) return false;
        for (float f : Tensors.toArray(g)) if (f != 0) return true;
        return false;
    }
}
