package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.BackbonePass;
import org.cover4j.nn.Params;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link UKan}'s structure, sizes, levels, gradients and weight loading. */
class UKanTest {
    @Test
    void registersTheOfficialStateDictInItsOrderWithItsShapes() {
        Map<String, NpyArray> official = UKanFixtures.load("ukan_small_params.npz");
        try (StepScope s = StepScope.open()) {
            Params params = UKanFixtures.cpuParams();
            UKan.withOfficialHead(params, "", UKanConfig.tiny(64), 3, new Rng(1));
            assertEquals(List.copyOf(official.keySet()), params.names(), "names in state_dict order");
            for (String name : params.names()) {
                long[] expected = name.endsWith("num_batches_tracked") ? new long[0] : official.get(name).shape();
                assertArrayEquals(expected, params.shape(name), name);
                boolean buffer = name.endsWith("running_mean") || name.endsWith("running_var")
                        || name.endsWith("num_batches_tracked") || name.endsWith(".grid");
                assertEquals(buffer, params.isBuffer(name), name + " is a buffer");
            }
            assertEquals(403_626, params.count(), "the README's parameter count of the small fixture model");
        }
    }

    @Test
    void presetsHaveTheOfficialSizes() {
        try (StepScope s = StepScope.open()) {
            Params withHead = UKanFixtures.cpuParams();
            UKan.withOfficialHead(withHead, "", UKanConfig.base(256), 1, new Rng(1));
            assertEquals(6_356_689, withHead.count(), "train.py defaults, num_classes 1 (README)");
            Params backbone = UKanFixtures.cpuParams();
            UKan model = new UKan(backbone, "backbone.", UKanConfig.small(128), 1, new Rng(1));
            assertEquals(6_356_689 - 17, backbone.count(), "without the head's 16·1 + 1 parameters");
            assertFalse(backbone.has("backbone.final.weight"));
            assertArrayEquals(new int[] {16, 16, 32, 128, 160}, model.levelChannels());
            assertEquals(256, model.deepestChannels());
        }
    }

    @Test
    void refusesSizesAndConfigurationsInOneLine() {
        UKanConfig config = UKanConfig.tiny(64);
        CoverException e = assertThrows(CoverException.class, () -> config.checkInput(new int[] {100, 96}));
        assertEquals("--size 100 does not suit ukan: the input height and width must be multiples of 32; nearest valid sizes 96 or 128", e.getMessage());
        assertEquals(CoverException.USAGE, e.exitCode());
        e = assertThrows(CoverException.class, () -> config.checkInput(new int[] {16, 64}));
        assertTrue(e.getMessage().endsWith("nearest valid sizes 32"), e.getMessage());
        e = assertThrows(CoverException.class, () -> config.checkInput(new int[] {64, 64, 64}));
        assertTrue(e.getMessage().startsWith("ukan is a 2D network"), e.getMessage());
        config.checkInput(new int[] {64, 96});
        e = assertThrows(CoverException.class, () -> new UKanConfig(64, new int[] {20, 40, 64}, 1));
        assertTrue(e.getMessage().startsWith("--embed-dims: the first count must be a positive multiple of 8"), e.getMessage());
        e = assertThrows(CoverException.class, () -> new UKanConfig(64, new int[] {32, 40}, 1));
        assertTrue(e.getMessage().startsWith("--embed-dims needs 3"), e.getMessage());
        e = assertThrows(CoverException.class, () -> UKanConfig.small(100));
        assertTrue(e.getMessage().startsWith("--size 100 does not suit ukan"), e.getMessage());
        try (StepScope s = StepScope.open()) {
            UKan model = new UKan(UKanFixtures.cpuParams(), "", config, 1, new Rng(1));
            e = assertThrows(CoverException.class, () -> model.levels(Tensors.of(new float[2 * 48 * 64], 2, 1, 48, 64)));
            assertTrue(e.getMessage().startsWith("--size 48 does not suit ukan"), e.getMessage());
        }
    }

    @Test
    void levelsAreTheDocumentedDecoderStagesAndDeepestIsNorm4() {
        Map<String, NpyArray> io = UKanFixtures.load("ukan_small_io.npz");
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            UKan model = UKanFixtures.model(UKanFixtures.cpuParams());
            model.train(false);
            Tensor x = UKanFixtures.tensor(io.get("x"));
            List<Tensor> levels = model.levels(x);
            String[] stages = {"eval/in/final", "eval/in/decoder5", "eval/in/decoder4", "eval/out/dnorm4", "eval/out/dnorm3"};
            int[] channels = model.levelChannels();
            for (int i = 0; i < 5; i++) {
                long side = 64 >> i;
                assertArrayEquals(new long[] {2, channels[i], side, side}, levels.get(i).shape(), "level " + i);
                UKanFixtures.assertNear("level " + i, io.get(stages[i]), asStored(io.get(stages[i]), levels.get(i)), UKanParityTest.FORWARD_TOL);
            }
            Tensor deepest = model.deepest(x);
            assertArrayEquals(new long[] {2, 64, 2, 2}, deepest.shape());
            UKanFixtures.assertNear("deepest", io.get("eval/out/norm4"), asStored(io.get("eval/out/norm4"), deepest), UKanParityTest.FORWARD_TOL);
        }
    }

    @Test
    void aOneChannelImageIsRepeatedToThree() {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            UKan gray = new UKan(UKanFixtures.cpuParams(), "", UKanConfig.tiny(64), 1, new Rng(4));
            UKan colour = new UKan(UKanFixtures.cpuParams(), "", UKanConfig.tiny(64), 3, new Rng(4));
            gray.train(false);
            colour.train(false);
            Tensor x = random(new Rng(5), 2, 1, 64, 64);
            List<Tensor> a = gray.levels(x);
            List<Tensor> b = colour.levels(x.repeat(1, 3, 1, 1));
            for (int i = 0; i < 5; i++) assertArrayEquals(Tensors.toArray(b.get(i)), Tensors.toArray(a.get(i)), 0f, "level " + i);
            assertThrows(IllegalArgumentException.class, () -> gray.levels(x.repeat(1, 3, 1, 1)));
        }
    }

    @Test
    void everyLevelSumTrainsEveryParameterAndDeepestOnlyTheEncoder() {
        try (StepScope s = StepScope.open()) {
            Params params = UKanFixtures.cpuParams();
            UKan model = new UKan(params, "", UKanConfig.tiny(64), 1, new Rng(6));
            Tensor x = random(new Rng(7), 2, 1, 64, 64);
            Tensor sum = null;
            for (Tensor level : model.levels(x)) sum = sum == null ? level.sum() : sum.add(level.sum());
            sum.backward();
            for (String name : params.trainableNames()) {
                // Conv biases before a training-mode BatchNorm get exactly no gradient (its batch mean removes them).
                if (UKanFixtures.STRUCTURALLY_ZERO.contains(name)) continue;
                assertTrue(nonZero(params.get(name).grad()), name + " gets a gradient from the levels");
            }

            Params encoderOnly = UKanFixtures.cpuParams();
            UKan again = new UKan(encoderOnly, "", UKanConfig.tiny(64), 1, new Rng(6));
            again.deepest(x).sum().backward();
            assertTrue(nonZero(encoderOnly.get("encoder1.conv.0.weight").grad()), "the first conv learns");
            assertTrue(nonZero(encoderOnly.get("norm4.weight").grad()), "norm4 learns");
            assertFalse(nonZero(encoderOnly.get("decoder1.conv.0.weight").grad()), "the decoder is not run");
            assertFalse(nonZero(encoderOnly.get("dblock1.0.layer.fc1.base_weight").grad()), "the decoder's KAN block is not run");
        }
    }

    @Test
    void trainingPassGivesAutogradsGradientsForLevelGradientsInParts() {
        try (StepScope s = StepScope.open()) {
            Tensor x = random(new Rng(8), 2, 1, 64, 64);
            Params direct = UKanFixtures.cpuParams();
            UKan reference = new UKan(direct, "", UKanConfig.tiny(64), 1, new Rng(9));
            List<Tensor> levels = reference.levels(x);
            Rng gradRng = new Rng(10);
            List<Tensor> grads = new ArrayList<>();
            Tensor loss = null;
            for (Tensor level : levels) {
                Tensor grad = random(gradRng, level.shape());
                grads.add(grad);
                Tensor term = level.mul(grad).sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();

            Params staged = UKanFixtures.cpuParams();
            UKan model = new UKan(staged, "", UKanConfig.tiny(64), 1, new Rng(9));
            BackbonePass pass = model.trainingPass(x, org.cover4j.nn.MemoryMode.DEFAULT);
            List<List<Tensor>> parts = List.of(new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(Tensors.toArray(levels.get(i)), Tensors.toArray(pass.levels().get(i)), 0f, "level " + i);
                for (int p = 0; p < 2; p++) parts.get(p).add(grads.get(i).narrow(0, p, 1).contiguous());
            }
            pass.backward(parts, 1, 1);
            for (String name : staged.trainableNames()) {
                if (UKanFixtures.STRUCTURALLY_ZERO.contains(name)) continue;
                Tensor got = staged.get(name).grad();
                assertTrue(nonZero(got), name + " gets a gradient through the pass");
                assertArrayEquals(Tensors.toArray(direct.get(name).grad()), Tensors.toArray(got), 1e-5f, name);
            }
        }
    }

    @Test
    void loadingOfficialWeightsNamesEveryMismatchInOneLine() {
        StateDicts.StateDict sd = StateDicts.read(UKanFixtures.file("ukan_small_params.npz"));
        try (StepScope s = StepScope.open()) {
            // Without the head, the file's final.* (a task head) is skipped and the rest loads under the prefix.
            Params params = UKanFixtures.cpuParams();
            UKan backbone = new UKan(params, "backbone.", UKanConfig.tiny(64), 1, new Rng(1));
            backbone.importOfficial(sd);
            assertArrayEquals(sd.values().get("block2.0.layer.fc2.spline_weight"), Tensors.toArray(params.get("backbone.block2.0.layer.fc2.spline_weight")));

            UKan headed = UKan.withOfficialHead(UKanFixtures.cpuParams(), "", UKanConfig.tiny(64), 3, new Rng(1));
            CoverException e = assertThrows(CoverException.class, () -> headed.importOfficial(edited(sd, "norm3.weight", null, null)));
            assertTrue(e.getMessage().contains("(missing norm3.weight)"), e.getMessage());
            e = assertThrows(CoverException.class, () -> headed.importOfficial(edited(sd, null, "module2.extra", null)));
            assertTrue(e.getMessage().contains("(unexpected module2.extra)"), e.getMessage());
            e = assertThrows(CoverException.class, () -> headed.importOfficial(edited(sd, null, null, "final.weight")));
            assertTrue(e.getMessage().contains("final.weight has shape [1, 4, 1, 1], expected [2, 4, 1, 1]"), e.getMessage());
            e = assertThrows(CoverException.class, () -> new UKan(UKanFixtures.cpuParams(), "", new UKanConfig(64, new int[] {32, 48, 64}, 2), 3, new Rng(1)).importOfficial(sd));
            assertTrue(e.getMessage().contains("block1.0.norm2.weight has shape [40], expected [48]"), e.getMessage());

            Map<String, float[]> values = new LinkedHashMap<>(sd.values());
            float[] grid = values.get("dblock2.0.layer.fc1.grid").clone();
            grid[5] += 0.01f;
            values.put("dblock2.0.layer.fc1.grid", grid);
            e = assertThrows(CoverException.class, () -> headed.importOfficial(new StateDicts.StateDict(values, sd.shapes(), sd.file())));
            assertTrue(e.getMessage().contains("dblock2.0.layer.fc1.grid is not U-KAN's uniform spline grid"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }

    /** A copy of {@code sd} without {@code drop}, with an extra tensor {@code add}, with {@code shrink}'s first axis 1. */
    private static StateDicts.StateDict edited(StateDicts.StateDict sd, String drop, String add, String shrink) {
        Map<String, float[]> values = new LinkedHashMap<>(sd.values());
        Map<String, long[]> shapes = new LinkedHashMap<>(sd.shapes());
        if (drop != null) {
            values.remove(drop);
            shapes.remove(drop);
        }
        if (add != null) {
            values.put(add, new float[1]);
            shapes.put(add, new long[] {1});
        }
        if (shrink != null) {
            long[] shape = shapes.get(shrink).clone();
            int per = Math.toIntExact(values.get(shrink).length / shape[0]);
            shape[0] = 1;
            values.put(shrink, Arrays.copyOf(values.get(shrink), per));
            shapes.put(shrink, shape);
        }
        return new StateDicts.StateDict(values, shapes, sd.file());
    }

    /** An image (B, C, H, W) in the layout of the fixture's {@code stage}: itself, or its tokens (B, H·W, C). */
    private static Tensor asStored(NpyArray stage, Tensor image) {
        return stage.shape().length == 3 ? Tokens.fromImage(image) : image;
    }

    private static Tensor random(Rng rng, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensors.of(v, shape);
    }

    private static boolean nonZero(Tensor grad) {
        if (grad == null || grad.isNull() || !grad.defined()) return false;
        for (float f : Tensors.toArray(grad)) if (f != 0) return true;
        return false;
    }
}
