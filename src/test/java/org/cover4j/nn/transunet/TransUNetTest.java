package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.BackbonePass;
import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TransUNet without the official fixtures: sizes, refusals, levels, gradients, modes and strict loading. */
class TransUNetTest {
    /** A 32² network small enough for many passes: ResNet width 32, one unit per block, one transformer layer. */
    private static final TransUNetConfig MINI =
            new TransUNetConfig(32, 0.5, new int[] {1, 1, 1}, 32, 64, 2, 1, 0.0, 0.0, new int[] {16, 8, 8, 8}, 3, 2);

    private static Params params() {
        return new Params(Devices.parse("cpu"));
    }

    private static Tensor image(int b, int c, int size, long seed) {
        Rng rng = new Rng(seed);
        float[] v = new float[b * c * size * size];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensors.of(v, b, c, size, size);
    }

    @Test
    void presetsHaveTheOfficialParameterCounts() {
        try (StepScope s = StepScope.open()) {
            Params tiny = params();
            TransUNet.withOfficialHead(tiny, "", TransUNetConfig.tiny(64), 1, new Rng(1));
            assertEquals(927_818, tiny.count(), "README: the fixture's small configuration");
            Params base = params();
            TransUNet.withOfficialHead(base, "", TransUNetConfig.base(224), 1, new Rng(1));
            assertEquals(105_277_081, base.count(), "README: R50-ViT-B_16 at 224², 9 classes");
            assertEquals(409, base.names().size(), "README: 409 state_dict entries");
            Params small = params();
            new TransUNet(small, "", TransUNetConfig.small(128), 1, new Rng(1));
            assertEquals(6_616_160, small.count(), "docs/backbone-transunet.md");
        }
    }

    @Test
    void refusesSizesItCannotTakeNamingTheNearestValidOnes() {
        TransUNetConfig c = TransUNetConfig.tiny(128);
        assertEquals("--size 100x100 does not suit transunet: the input must be a multiple of 16 and equal to its image size 128; "
                + "nearest valid sizes 96 or 112", assertThrows(CoverException.class, () -> c.checkInput(new int[] {100, 100})).getMessage());
        assertTrue(assertThrows(CoverException.class, () -> c.checkInput(new int[] {8, 8})).getMessage().endsWith("nearest valid sizes 16"));
        assertEquals("--size 96x96 does not suit transunet built for 128×128: its position embeddings fix the input size (build it for 96 instead)",
                assertThrows(CoverException.class, () -> c.checkInput(new int[] {96, 96})).getMessage());
        assertTrue(assertThrows(CoverException.class, () -> c.checkInput(new int[] {128, 128, 128})).getMessage().contains("2D only"));
        c.checkInput(new int[] {128, 128});
        assertTrue(assertThrows(CoverException.class, () -> TransUNetConfig.tiny(100)).getMessage().contains("multiple of 16"));
        try (StepScope s = StepScope.open()) {
            TransUNet net = new TransUNet(params(), "", MINI, 1, new Rng(1));
            CoverException e = assertThrows(CoverException.class, () -> net.levels(image(1, 1, 48, 1)));
            assertTrue(e.getMessage().contains("built for 32×32"), e.getMessage());
            assertThrows(CoverException.class, () -> net.levels(image(1, 2, 32, 1)), "2 channels");
        }
    }

    @Test
    void refusesInvalidSizesByOption() {
        assertTrue(assertThrows(CoverException.class, () -> new TransUNetConfig(64, 0.25, new int[] {1, 1, 1}, 32, 64, 2, 1, 0, 0,
                new int[] {8, 8, 8, 8}, 3, 2)).getMessage().startsWith("--width-factor 0.25"));
        assertEquals("--hidden 50 must be a multiple of --heads 4", assertThrows(CoverException.class, () -> new TransUNetConfig(64, 0.5,
                new int[] {1, 1, 1}, 50, 64, 4, 1, 0, 0, new int[] {8, 8, 8, 8}, 3, 2)).getMessage());
        assertTrue(assertThrows(CoverException.class, () -> new TransUNetConfig(64, 0.5, new int[] {1, 1, 1}, 32, 64, 2, 1, 0, 0,
                new int[] {8, 8, 8, 8}, 4, 2)).getMessage().startsWith("--n-skip"));
        assertArrayEquals(new int[] {256, 128, 32, 0}, TransUNetConfig.tiny(64).skipChannels(), "README: [256, 128, 32, 0]");
        assertArrayEquals(new int[] {256, 0, 0, 0}, new TransUNetConfig(64, 0.5, new int[] {1, 1, 1}, 32, 64, 2, 1, 0, 0,
                new int[] {8, 8, 8, 8}, 1, 2).skipChannels(), "DecoderCup zeroes the skips from n_skip on");
    }

    @Test
    void levelsAreTheDecoderStagesAtFiveScalesAndDeepestIsTheEncoderOutput() {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            TransUNet net = new TransUNet(params(), "backbone.", MINI, 1, new Rng(2));
            net.train(false);
            Tensor x = image(2, 1, 32, 3);
            Map<String, Tensor> trace = new LinkedHashMap<>();
            List<Tensor> levels = net.levels(x, trace);
            int[] channels = net.levelChannels();
            assertArrayEquals(new int[] {8, 8, 8, 16, 512}, channels);
            String[] stages = {"decoder.blocks.3", "decoder.blocks.2", "decoder.blocks.1", "decoder.blocks.0", "decoder.conv_more"};
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(new long[] {2, channels[i], 32 >> i, 32 >> i}, levels.get(i).shape(), "level " + i);
                assertTrue(levels.get(i) == trace.get("out/" + stages[i]), "level " + i + " is " + stages[i]);
            }
            Tensor deepest = net.deepest(x);
            assertArrayEquals(new long[] {2, 32, 2, 2}, deepest.shape());
            assertEquals(32, net.deepestChannels());
            // (B, L, C) tokens with l = h·W + w, as (B, C, H, W).
            Tensor tokens = trace.get("out/transformer.encoder:0");
            assertArrayEquals(Tensors.toArray(tokens.permute(0, 2, 1).reshape(2, 32, 2, 2)), Tensors.toArray(deepest), 0f);
        }
    }

    @Test
    void aOneChannelImageIsTheSameImageRepeatedToThreeChannels() {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            TransUNet net = new TransUNet(params(), "", MINI, 1, new Rng(2));
            net.train(false);
            Tensor x = image(1, 1, 32, 4);
            float[] one = Tensors.toArray(net.levels(x).get(0));
            float[] three = Tensors.toArray(net.levels(x.repeat(1, 3, 1, 1)).get(0));
            assertArrayEquals(three, one, 0f);
            float[] other = Tensors.toArray(net.levels(Tensors.of(new float[3 * 32 * 32], 1, 3, 32, 32).add(x)).get(0));
            assertArrayEquals(three, other, 0f);
        }
    }

    @Test
    void everyTrainableTensorLearnsFromTheLevelsByAutogradAndThroughTheTrainingPass() {
        try (StepScope s = StepScope.open()) {
            Params p = params();
            TransUNet net = new TransUNet(p, "backbone.", MINI, 1, new Rng(5));
            Tensor sum = null;
            for (Tensor l : net.levels(image(2, 1, 32, 6))) sum = sum == null ? l.sum() : sum.add(l.sum());
            sum.backward();
            assertEveryParameterLearns(p);

            Params q = params();
            TransUNet other = new TransUNet(q, "backbone.", MINI, 1, new Rng(5));
            BackbonePass pass = other.trainingPass(image(2, 1, 32, 6), org.cover4j.nn.MemoryMode.DEFAULT);
            List<Tensor> grads = new ArrayList<>();
            long seed = 10;
            for (Tensor l : pass.levels()) {
                int[] shape = java.util.Arrays.stream(l.shape()).mapToInt(Math::toIntExact).toArray();
                Rng rng = new Rng(seed++);
                float[] v = new float[Math.toIntExact(l.numel())];
                for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
                grads.add(Tensors.of(v, shape));
            }
            pass.backward(List.of(grads), 2);
            assertEveryParameterLearns(q);
        }
    }

    /** Every trainable tensor has a non-zero gradient, except the attention key biases (structurally zero: README). */
    private static void assertEveryParameterLearns(Params p) {
        int checked = 0;
        for (String name : p.trainableNames()) {
            if (name.endsWith("attn.key.bias")) continue;
            Tensor g = p.get(name).grad();
            assertTrue(g.defined(), name + " has a gradient");
            boolean nonZero = false;
            for (float f : Tensors.toArray(g)) nonZero |= f != 0;
            assertTrue(nonZero, name + " learns");
            checked++;
        }
        assertEquals(p.trainableNames().size() - MINI.numLayers(), checked);
    }

    @Test
    void deepestRunsNoDecoder() {
        try (StepScope s = StepScope.open()) {
            Params p = params();
            TransUNet net = new TransUNet(p, "", MINI, 1, new Rng(2));
            net.deepest(image(2, 1, 32, 3)).sum().backward();
            assertTrue(p.get("transformer.embeddings.hybrid_model.root.conv.weight").grad().defined(), "the encoder learns");
            assertFalse(p.get("decoder.conv_more.0.weight").grad().defined(), "the decoder is not run");
        }
    }

    @Test
    void trainingModeUpdatesBatchNormAndDropsOutReproduciblyEvaluationModeDoesNeither() {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            TransUNetConfig withDropout = MINI.withDropout(0.5);
            Params p = params();
            TransUNet net = new TransUNet(p, "", withDropout, 1, new Rng(2));
            Tensor x = image(2, 1, 32, 3);
            String counter = "decoder.blocks.0.conv1.1.num_batches_tracked";
            String mean = "decoder.blocks.0.conv1.1.running_mean";
            float[] first = Tensors.toArray(net.levels(x).get(4));
            float[] second = Tensors.toArray(net.levels(x).get(4));
            assertEquals(2.0, Tensors.item(p.get(counter)), "two training passes");
            assertNotEquals(0f, Tensors.toArray(p.get(mean))[0], "running mean moved");
            assertFalse(java.util.Arrays.equals(first, second), "a new dropout mask each pass");

            Params q = params();
            TransUNet same = new TransUNet(q, "", withDropout, 1, new Rng(2));
            assertArrayEquals(first, Tensors.toArray(same.levels(x).get(4)), 0f, "same seed, same masks");

            net.train(false);
            float[] runningMean = Tensors.toArray(p.get(mean));
            float[] a = Tensors.toArray(net.levels(x).get(4));
            float[] b = Tensors.toArray(net.levels(x).get(4));
            assertArrayEquals(a, b, 0f, "no dropout in evaluation");
            assertEquals(2.0, Tensors.item(p.get(counter)), "evaluation leaves the counter");
            assertArrayEquals(runningMean, Tensors.toArray(p.get(mean)), 0f, "and the running statistics");
        }
    }

    @Test
    void loadsOfficialStateDictsStrictlyAndNamesTheMismatches() {
        try (StepScope s = StepScope.open()) {
            Params official = params();
            TransUNet.withOfficialHead(official, "", MINI, 1, new Rng(8));
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String n : official.names()) {
                values.put("module." + n, Tensors.toArray(official.get(n)));
                shapes.put("module." + n, official.shape(n));
            }
            Path file = Path.of("official.npz");

            // A network without the official head ignores segmentation_head.*; a DataParallel prefix is dropped.
            Params p = params();
            TransUNet net = new TransUNet(p, "backbone.", MINI, 1, new Rng(9));
            net.loadOfficial(new StateDicts.StateDict(values, shapes, file));
            for (String n : p.names()) assertArrayEquals(Tensors.toArray(official.get(n.substring(9))), Tensors.toArray(p.get(n)), 0f, n);

            Map<String, float[]> missing = new LinkedHashMap<>(values);
            missing.remove("module.transformer.encoder.encoder_norm.bias");
            String msg = assertThrows(CoverException.class, () -> net.loadOfficial(new StateDicts.StateDict(missing, shapes, file))).getMessage();
            assertTrue(msg.startsWith("official.npz: does not fit transunet img 32") && msg.contains("(missing transformer.encoder.encoder_norm.bias)"), msg);

            Map<String, long[]> wrong = new LinkedHashMap<>(shapes);
            wrong.put("module.transformer.embeddings.position_embeddings", new long[] {1, 16, 8});
            msg = assertThrows(CoverException.class, () -> net.loadOfficial(new StateDicts.StateDict(values, wrong, file))).getMessage();
            assertTrue(msg.contains("transformer.embeddings.position_embeddings has shape [1, 16, 8], expected [1, 4, 32]"), msg);

            Map<String, float[]> extra = new LinkedHashMap<>(values);
            extra.put("transformer.encoder.layer.1.ffn_norm.weight", new float[32]);
            msg = assertThrows(CoverException.class, () -> net.loadOfficial(new StateDicts.StateDict(extra, shapes, file))).getMessage();
            assertTrue(msg.contains("unexpected transformer.encoder.layer.1.ffn_norm.weight"), msg);

            // With the official head the head is required.
            Params h = params();
            TransUNet headed = TransUNet.withOfficialHead(h, "", MINI, 1, new Rng(9));
            Map<String, float[]> headless = new LinkedHashMap<>(values);
            headless.remove("module.segmentation_head.0.bias");
            msg = assertThrows(CoverException.class, () -> headed.loadOfficial(new StateDicts.StateDict(headless, shapes, file))).getMessage();
            assertTrue(msg.contains("missing segmentation_head.0.bias"), msg);
        }
    }
}
