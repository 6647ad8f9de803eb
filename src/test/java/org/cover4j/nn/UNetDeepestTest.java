package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** {@link UNet#deepest} is the fifth level of {@link UNet#levels}, without the decoder. */
class UNetDeepestTest {
    static final int[] TINY = {8, 16, 32, 64, 128, 64, 32, 16, 8};

    @Test
    void equalsTheDeepestLevelIn2DAnd3D() {
        for (int dims = 2; dims <= 3; dims++) {
            Params params = new Params(null);
            UNet net = new UNet(params, "backbone.", dims, 1, TINY, new Rng(3));
            long[] shape = dims == 2 ? new long[] {2, 1, 32, 32} : new long[] {1, 1, 16, 16, 16};
            int n = (int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] x = new float[n];
            Rng rng = new Rng(5);
            for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
            try (StepScope s = StepScope.open()) {
                Tensor deepest = net.deepest(Tensors.of(x, shape));
                Tensor level = net.levels(Tensors.of(x, shape)).get(4);
                assertArrayEquals(level.shape(), deepest.shape());
                assertArrayEquals(Tensors.toArray(level), Tensors.toArray(deepest), 0f, dims + "D");
            }
        }
    }
}
