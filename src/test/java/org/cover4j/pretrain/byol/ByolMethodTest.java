package org.cover4j.pretrain.byol;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Params;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.train.Adam;
import org.cover4j.train.Ema;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The target network of BYOL: named apart, equal at the start, never touched by Adam, moved by the EMA step. */
class ByolMethodTest {
    static final BackboneSpec TINY = BackboneSpec.unet(new int[] {8, 16, 32, 64, 128, 64, 32, 16, 8});

    static ByolMethod method() {
        return new ByolMethod(new ByolSettings(32, 16, 0.9), 2, 32, TINY, 1, null, null);
    }

    static Tensor images(int n) {
        float[] x = new float[n * 32 * 32];
        Rng rng = new Rng(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        return Tensors.of(x, n, 1, 32, 32);
    }

    @Test
    void theTargetIsAFrozenCopyOfTheOnlineBackboneAndProjector() {
        ByolMethod m = method();
        Params state = m.state();
        for (String n : state.names()) {
            assertTrue(n.startsWith("backbone.") || n.startsWith("projector.") || n.startsWith("predictor.")
                    || n.startsWith("target.backbone.") || n.startsWith("target.projector."), n);
            if (n.startsWith("target.")) {
                assertTrue(state.isBuffer(n), n + " is a buffer");
                assertArrayEquals(Tensors.toArray(state.get(n.substring("target.".length()))), Tensors.toArray(state.get(n)), 0f, n);
            }
        }
        assertTrue(state.has("target.projector.3.weight"));
        assertFalse(state.names().stream().anyMatch(n -> n.startsWith("target.predictor.")), "the predictor has no target");
        assertTrue(m.trainable().trainableNames().stream().noneMatch(n -> n.startsWith("target.")), "Adam never sees the target");
        assertTrue(m.trainable().trainableNames().contains("predictor.0.weight"));
    }

    @Test
    void adamLeavesTheTargetAloneAndTheEmaStepMovesIt() {
        ByolMethod m = method();
        Params state = m.state();
        String online = "backbone.down4.maxpool_conv.1.double_conv.0.weight";
        String target = "target." + online;
        float[] before = Tensors.toArray(state.get(online));
        float[] targetBefore = Tensors.toArray(state.get(target));
        java.util.Map<String, float[]> targetAll = state.toArrays();
        try (Adam adam = new Adam(m.trainable(), 0); StepScope s = StepScope.open()) {
            Tensor loss = m.losses(images(4)).get("loss");
            assertTrue(Double.isFinite(loss.item_double()));
            loss.backward();
            adam.step(1e-2);
        }
        float[] after = Tensors.toArray(state.get(online));
        assertFalse(Arrays.equals(before, after), "Adam moved the online backbone");
        assertArrayEquals(targetBefore, Tensors.toArray(state.get(target)), 0f, "Adam did not move the target");
        for (String n : state.names()) {
            if (n.startsWith("target.") && !n.contains(".running_") && !n.endsWith(".num_batches_tracked")) {
                assertArrayEquals(targetAll.get(n), Tensors.toArray(state.get(n)), 0f, n + " unchanged by the step");
            }
        }

        long step = 3;
        long total = 10;
        try (StepScope s = StepScope.open()) {
            m.afterOptimizerStep(step, total);
        }
        double tau = Ema.cosineTau(0.9, step, total);
        float[] moved = Tensors.toArray(state.get(target));
        for (int i = 0; i < moved.length; i++) {
            assertEquals(tau * targetBefore[i] + (1 - tau) * after[i], moved[i], 1e-6, "target value " + i);
        }
        assertFalse(Arrays.equals(targetBefore, moved), "the EMA step moved the target");
    }

    @Test
    void theTargetForwardUpdatesOnlyItsOwnRunningStatisticsAndTheLossHasNoGradientThroughIt() {
        ByolMethod m = method();
        Params state = m.state();
        try (StepScope s = StepScope.open()) {
            m.losses(images(2)).get("loss").backward();
        }
        assertEquals(1f, Tensors.toArray(state.get("target.projector.1.num_batches_tracked"))[0]);
        assertEquals(1f, Tensors.toArray(state.get("projector.1.num_batches_tracked"))[0]);
        for (String n : List.of("target.projector.0.weight", "target.backbone.inc.double_conv.0.weight")) {
            assertFalse(state.get(n).grad().defined(), n + " has no gradient");
        }
        assertTrue(state.get("backbone.inc.double_conv.0.weight").grad().defined(), "the online backbone learns");
    }
}
