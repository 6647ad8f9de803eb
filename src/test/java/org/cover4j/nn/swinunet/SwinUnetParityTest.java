package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.io.NpyArray;
import org.cover4j.nn.Params;
import org.cover4j.torch.StepScope;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forward and backward parity with the official Swin-Unet (reference/backbones fixtures, the small model at 64²):
 * state_dict keys, order and shapes; every hooked stage tensor and the logits in eval and train mode; d s / d x and
 * every parameter gradient of s = Σ logits_train · w; and the same in float64, to within the fixture's own float32
 * error.
 */
class SwinUnetParityTest {
    /** Forward tensors: relative to each tensor's max |value| (README: 2e-5–3e-5 is safe in float32). */
    private static final double FORWARD = 3e-5;
    /** Gradients, relative to each tensor's max |value| (no structurally-zero gradient in Swin-Unet). */
    private static final double GRADIENT = 1e-4;

    @Test
    void stateDictHasTheOfficialKeysInOrderWithTheirShapes() {
        try (StepScope s = StepScope.open()) {
            Map<String, NpyArray> file = SwinFixtures.load("params");
            Params params = SwinFixtures.cpuParams();
            SwinUnet.withOfficialHead(params, "", SwinUnetConfig.tiny(SwinFixtures.SIZE), 1, SwinFixtures.CLASSES, new org.cover4j.util.Rng(3));
            assertEquals(new ArrayList<>(file.keySet()), params.names());
            for (String k : file.keySet()) {
                assertArrayEquals(file.get(k).shape(), params.shape(k), k);
                boolean buffer = k.endsWith("relative_position_index") || k.endsWith("attn_mask");
                assertEquals(buffer, params.isBuffer(k), k + " is a buffer");
                // The fixed buffers are computed, not loaded: they must already hold the official values.
                if (buffer) assertArrayEquals(file.get(k).floats(), org.cover4j.torch.Tensors.toArray(params.get(k)), 0f, k);
            }
            assertEquals(766_200, params.count());
        }
    }

    /** The README's count of the official default (swin_tiny_patch4_window7_224_lite, in_chans 3, 9 classes). */
    @Test
    void theBasePresetIsTheOfficialDefaultSize() {
        try (StepScope s = StepScope.open()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet.withOfficialHead(params, "", SwinUnetConfig.base(224), 1, 9, new org.cover4j.util.Rng(3));
            assertEquals(27_168_900, params.count());
            assertEquals(238, params.names().size());
        }
    }

    @Test
    void evalAndTrainForwardMatchEveryStage() {
        try (StepScope s = StepScope.open()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet net = SwinFixtures.model(params);
            Map<String, NpyArray> io = SwinFixtures.load("io");
            Tensor x = SwinFixtures.tensor(io.get("x"));
            Map<String, Tensor> trace;
            try (NoGradGuard g = new NoGradGuard()) {
                net.train(false);
                trace = net.forwardTrace(x);
                compareStages(io, "eval/", trace, FORWARD);
                SwinFixtures.assertNear("logits_eval", io.get("logits_eval"), trace.get("logits"), FORWARD);
            }
            net.train(true);
            trace = net.forwardTrace(x);
            compareStages(io, "train/", trace, FORWARD);
            SwinFixtures.assertNear("logits_train", io.get("logits_train"), trace.get("logits"), FORWARD);
        }
    }

    @Test
    void gradientsMatchTheOfficialBackward() {
        try (StepScope s = StepScope.open()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet net = SwinFixtures.model(params);
            Map<String, NpyArray> io = SwinFixtures.load("io");
            Map<String, NpyArray> grads = SwinFixtures.load("grads");
            Tensor x = SwinFixtures.tensor(io.get("x"));
            x.set_requires_grad(true);
            net.train(true);
            Tensor sum = net.logits(x).mul(SwinFixtures.tensor(io.get("w"))).sum();
            SwinFixtures.assertNear("s", io.get("s"), sum.view(1), FORWARD);
            sum.backward();
            SwinFixtures.assertNear("grad_x", grads.get("grad_x"), x.grad(), GRADIENT);
            int compared = 0;
            for (String name : params.trainableNames()) {
                SwinFixtures.assertNear("grad " + name, grads.get(name), params.get(name).grad(), GRADIENT);
                compared++;
            }
            assertEquals(grads.size() - 1, compared, "every parameter gradient of the fixture is compared");
        }
    }

    /**
     * The sharpest check: the whole network in float64 (parameters and x converted) against the stored float32
     * results, each within 1.5 × its listed float32-vs-float64 error + 1e-7 of scale (README "Tolerances").
     */
    @Test
    void float64RunMatchesWithinTheFixturesOwnError() {
        try (StepScope s = StepScope.open()) {
            Params params = SwinFixtures.cpuParams();
            SwinUnet net = SwinFixtures.model(params);
            SwinFixtures.toDouble(params);
            Map<String, NpyArray> io = SwinFixtures.load("io");
            Map<String, NpyArray> grads = SwinFixtures.load("grads");
            Map<String, Double> ioErr = SwinFixtures.manifestErrors("swinunet_small_io.npz");
            Map<String, Double> gradErr = SwinFixtures.manifestErrors("swinunet_small_grads.npz");
            Tensor x = SwinFixtures.tensor(io.get("x")).to(torch.ScalarType.Double);
            x.set_requires_grad(true);
            net.train(true);
            Map<String, Tensor> trace = net.forwardTrace(x);
            List<String> keys = new ArrayList<>();
            for (String k : io.keySet()) if (k.startsWith("train/")) keys.add(k);
            for (String k : keys) {
                String key = k.substring("train/".length());
                SwinFixtures.assertNear(k, io.get(k), trace.get(key), 1.5 * ioErr.get(k) + 1e-7);
            }
            Tensor logits = trace.get("logits");
            SwinFixtures.assertNear("logits_train (f64)", io.get("logits_train"), logits, 1.5 * ioErr.get("logits_train") + 1e-7);
            logits.mul(SwinFixtures.tensor(io.get("w")).to(torch.ScalarType.Double)).sum().backward();
            SwinFixtures.assertNear("grad_x (f64)", grads.get("grad_x"), x.grad(), 1.5 * gradErr.get("grad_x") + 1e-7);
            for (String name : params.trainableNames()) {
                SwinFixtures.assertNear("grad " + name + " (f64)", grads.get(name), params.get(name).grad(), 1.5 * gradErr.get(name) + 1e-7);
            }
        }
    }

    /** Compares every {@code <mode>out/...} fixture tensor with the trace; all 27 documented stages. */
    private static void compareStages(Map<String, NpyArray> io, String mode, Map<String, Tensor> trace, double tol) {
        int compared = 0;
        for (Map.Entry<String, NpyArray> e : io.entrySet()) {
            if (!e.getKey().startsWith(mode)) continue;
            String key = e.getKey().substring(mode.length());
            assertTrue(trace.containsKey(key), "trace lacks " + key);
            SwinFixtures.assertNear(e.getKey(), e.getValue(), trace.get(key), tol);
            compared++;
        }
        assertEquals(27, compared, mode + " stages compared");
    }
}
