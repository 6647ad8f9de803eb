package org.cover4j.pretrain.pixcl;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.RandomAffineFlow;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The flow on a coarser level's grid: a coarse pixel j of a level {@code f} times coarser sits at fine position
 * {@code f·j + (f−1)/2}, so its displacement is the fine flow there, in coarse pixels: {@code u(f·j + (f−1)/2) / f}.
 * For an affine flow that value follows from the flow at the block's first pixel and its differences along each axis.
 */
class LevelFlowTest {
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void coarseFlowIsTheFineFlowAtTheBlockCentreInCoarsePixels(int dims) {
        int side = dims == 2 ? 32 : 16;
        int[] shape = new int[dims];
        Arrays.fill(shape, side);
        float[] flow = RandomAffineFlow.flow(RandomAffineFlow.random(shape, 1.5, new Rng(dims)), shape);
        int n = (int) Math.pow(side, dims);
        long[] tensorShape = new long[2 + dims];
        tensorShape[0] = 1;
        tensorShape[1] = dims;
        for (int d = 0; d < dims; d++) tensorShape[2 + d] = side;
        try (StepScope s = StepScope.open()) {
            Tensor fine = Tensors.of(flow, tensorShape);
            assertArrayEquals(flow, Tensors.toArray(PixclMethod.levelFlow(fine, 0)), 0f, "level 0 is the flow itself");
            for (int level = 1; level < 4; level++) {
                int factor = 1 << level;
                int coarse = side / factor;
                float[] actual = Tensors.toArray(PixclMethod.levelFlow(fine, level));
                int m = (int) Math.pow(coarse, dims);
                assertEquals(dims * m, actual.length);
                for (int j = 0; j < m; j++) {
                    int first = 0;          // the block's first fine pixel, C-order
                    int[] step = new int[dims];
                    for (int d = dims - 1, rest = j, stride = 1; d >= 0; d--) {
                        first += factor * (rest % coarse) * stride;
                        step[d] = stride;
                        rest /= coarse;
                        stride *= side;
                    }
                    for (int c = 0; c < dims; c++) {
                        double atFirst = flow[c * n + first];
                        double centre = atFirst;
                        for (int d = 0; d < dims; d++) centre += (factor - 1) / 2.0 * (flow[c * n + first + step[d]] - atFirst);
                        assertEquals(centre / factor, actual[c * m + j], 1e-4, "level " + level + " channel " + c + " pixel " + j);
                    }
                }
            }
        }
    }
}
