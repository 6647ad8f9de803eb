package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.BackbonePass;
import org.cover4j.nn.Params;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The five levels (scales, channels, which stage each one is), the deepest features, gradients reaching every
 * trainable tensor through the levels (by autograd and through the training pass), and the 1 → 3 channel repeat.
 */
class SwinUnetLevelsTest {
    private static final int SIZE = 64;

    @Test
    void levelsAreTheDocumentedDecoderStagesAtScales1To16() {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet net = new SwinUnet(params, "backbone.", SwinUnetConfig.tiny(SIZE), 1, new Rng(4));
            Tensor x = image(2, 1, 7);
            List<Tensor> levels = net.levels(x);
            assertArrayEquals(new int[] {16, 16, 16, 32, 64}, net.levelChannels());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(new long[] {2, net.levelChannels()[i], SIZE >> i, SIZE >> i}, levels.get(i).shape(), "level " + i);
            }
            Map<String, Tensor> trace = net.forwardTrace(x);
            assertSameValues(tokensToImage(trace.get("out/up"), SIZE), levels.get(0), "1/1 = up");
            assertSameValues(tokensToImage(trace.get("out/norm_up"), SIZE / 4), levels.get(2), "1/4 = norm_up");
            assertSameValues(tokensToImage(trace.get("out/layers_up.2.blocks.1"), SIZE / 8), levels.get(3), "1/8 = layers_up.2 blocks");
            assertSameValues(tokensToImage(trace.get("out/layers_up.1.blocks.1"), SIZE / 16), levels.get(4), "1/16 = layers_up.1 blocks");
            // 1/2: the mean of each 2×2 pixel block of the 1/1 level, computed by hand.
            float[] full = Tensors.toArray(levels.get(0).contiguous());
            float[] half = Tensors.toArray(levels.get(1).contiguous());
            int h = SIZE / 2;
            for (int bc = 0; bc < 2 * 16; bc++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < h; xx++) {
                        int base = bc * SIZE * SIZE + 2 * y * SIZE + 2 * xx;
                        double mean = (full[base] + full[base + 1] + full[base + SIZE] + full[base + SIZE + 1]) / 4.0;
                        assertEquals(mean, half[bc * h * h + y * h + xx], 1e-5, "1/2 level at " + bc + "," + y + "," + xx);
                    }
                }
            }
            Tensor deepest = net.deepest(x);
            assertEquals(128, net.deepestChannels());
            assertArrayEquals(new long[] {2, 128, 2, 2}, deepest.shape());
            assertSameValues(tokensToImage(trace.get("out/norm"), SIZE / 32), deepest, "deepest = norm");
        }
    }

    /**
     * Σ of all levels reaches every trainable tensor (float64, see {@link #assertAllLearn}). LayerNorm weights are first drawn from U(0.8, 1.2): with the
     * initial weight 1 the channel sum of a LayerNorm output is constant (Σ normalised = 0), so whatever feeds only
     * norm_up / up would get an exactly zero gradient from a plain sum — a property of the loss, not a defect.
     */
    @Test
    void everyTrainableTensorLearnsFromTheSumOfTheLevels() {
        try (StepScope s = StepScope.open()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet net = new SwinUnet(params, "", SwinUnetConfig.tiny(SIZE), 1, new Rng(5));
            Rng rng = new Rng(6);
            try (NoGradGuard g = new NoGradGuard()) {
                for (String name : params.trainableNames()) {
                    Tensor t = params.get(name);
                    if (!name.endsWith("norm.weight") && !name.endsWith("norm1.weight") && !name.endsWith("norm2.weight") && !name.equals("norm_up.weight")) continue;
                    float[] v = new float[(int) t.numel()];
                    for (int i = 0; i < v.length; i++) v[i] = (float) rng.uniform(0.8, 1.2);
                    t.copy_(Tensors.of(v, t.shape()));
                }
            }
            SwinFixtures.toDouble(params);
            Tensor total = null;
            for (Tensor level : net.levels(image(2, 1, 8).to(torch.ScalarType.Double))) total = total == null ? level.sum() : total.add(level.sum());
            total.backward();
            assertAllLearn(params);
        }
    }

    @Test
    void everyTrainableTensorLearnsThroughTheTrainingPass() {
        try (StepScope s = StepScope.open()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet net = new SwinUnet(params, "", SwinUnetConfig.tiny(SIZE), 1, new Rng(7));
            SwinFixtures.toDouble(params);
            BackbonePass pass = net.trainingPass(image(2, 1, 9).to(torch.ScalarType.Double), org.cover4j.nn.MemoryMode.DEFAULT);
            Rng rng = new Rng(10);
            List<Tensor> grads = new ArrayList<>();
            for (Tensor level : pass.levels()) grads.add(gaussian(level.shape(), rng).to(torch.ScalarType.Double));
            pass.backward(List.of(grads), 2);
            assertAllLearn(params);
        }
    }

    /** The official wrapper's repeat of a grey image to 3 channels = a 1-channel conv with the channel-summed kernel. */
    @Test
    void aGreyImageIntoThreeChannelsEqualsTheSummedKernel() {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            Params three = SwinFixtures.cpuParams();
            SwinUnet rgb = new SwinUnet(three, "", SwinUnetConfig.tiny(SIZE).withInChans(3), 1, new Rng(11));
            Params one = SwinFixtures.cpuParams();
            SwinUnet grey = new SwinUnet(one, "", SwinUnetConfig.tiny(SIZE), 1, new Rng(12));
            for (String name : one.names()) {
                Tensor src = three.get(name);
                one.get(name).copy_(name.equals("patch_embed.proj.weight") ? src.sum(new long[] {1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()) : src);
            }
            Tensor x = image(2, 1, 13);
            List<Tensor> a = rgb.levels(x);
            List<Tensor> b = grey.levels(x);
            for (int i = 0; i < 5; i++) {
                float[] fa = Tensors.toArray(a.get(i));
                float[] fb = Tensors.toArray(b.get(i));
                for (int k = 0; k < fa.length; k++) assertEquals(fa[k], fb[k], 1e-4, "level " + i + " element " + k);
            }
        }
    }

    /**
     * Every trainable tensor's gradient is far above rounding noise: its max |value| at least 1e-9 of the largest
     * gradient of the network. In float64, a gradient that is zero in exact arithmetic stays below ~1e-15 of it, while
     * the smallest true ones here are ~1e-6 of it.
     */
    private static void assertAllLearn(Params params) {
        double largest = 0;
        java.util.Map<String, Double> max = new java.util.LinkedHashMap<>();
        for (String name : params.trainableNames()) {
            Tensor g = params.get(name).grad();
            if (g == null || g.isNull() || !g.defined()) fail(name + " has no gradient");
            double m = g.abs().max().item_double();
            max.put(name, m);
            largest = Math.max(largest, m);
        }
        for (java.util.Map.Entry<String, Double> e : max.entrySet()) {
            assertTrue(e.getValue() > 1e-9 * largest, e.getKey() + " does not learn: max |gradient| " + e.getValue() + " of " + largest);
        }
    }

    private static void assertSameValues(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(Tensors.toArray(expected), Tensors.toArray(actual), 0f, what);
    }

    private static Tensor tokensToImage(Tensor tokens, int side) {
        return tokens.view(tokens.size(0), side, side, tokens.size(2)).permute(0, 3, 1, 2);
    }

    private static Tensor image(int batch, int channels, long seed) {
        return gaussian(new long[] {batch, channels, SIZE, SIZE}, new Rng(seed));
    }

    private static Tensor gaussian(long[] shape, Rng rng) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensors.of(v, shape);
    }
}
