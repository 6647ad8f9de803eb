package org.cover4j.train;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one loop on a toy objective whose every number is known by hand: loss = (w − x)², gradient 2(w − x), plain
 * gradient descent through Adam's first step (a step of exactly lr·sign(g) when moments start at zero).
 */
class StepLoopTest {
    private static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    /** loss = (w − x)² on batch x; batches listed in {@code bad} give NaN; the buffer {@code ema} follows w after each step. */
    static final class Toy implements Objective<Double> {
        final Params params;
        final List<Long> hooked = new ArrayList<>();
        final Set<Double> bad;

        Toy(Device device, Set<Double> bad) {
            params = new Params(device);
            params.add("w", new float[] {1f}, 1);
            params.addBuffer("ema", new float[] {0f}, 1);
            this.bad = bad;
        }

        @Override
        public String name() {
            return "toy";
        }

        @Override
        public List<String> lossNames() {
            return List.of("sq", LOSS);
        }

        @Override
        public List<String> monitorNames() {
            return List.of("w_seen");
        }

        @Override
        public Params state() {
            return params;
        }

        @Override
        public Step forward(Double x) {
            Tensor w = params.get("w");
            Tensor d = w.sub(Tensors.of(new float[] {bad.contains(x) ? Float.NaN : x.floatValue()}, params.device(), 1));
            Tensor loss = d.mul(d).sum();
            LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
            l.put("sq", loss);
            l.put(LOSS, loss);
            return new Step(l, Map.of("w_seen", (double) Tensors.toArray(w)[0]), null);
        }

        @Override
        public void afterOptimizerStep(long step, long totalSteps) {
            hooked.add(step);
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                params.get("ema").copy_(params.get("w"));
            }
        }
    }

    /** Saves nothing; records which steps it was asked about, and adds a column. */
    static final class Recorder implements StepLoop.Checkpointer {
        final List<Long> saved = new ArrayList<>();

        @Override
        public List<String> columns() {
            return List.of("extra");
        }

        @Override
        public Object[] measure(long step, boolean finalStep) {
            return new Object[] {finalStep ? "end" : ""};
        }

        @Override
        public void save(long step, boolean finalStep) {
            saved.add(step);
        }
    }

    private static StepLoop.Options options(int steps, double clip, int maxBad) {
        return new StepLoop.Options(steps, new LrSchedule("constant", 0.1, steps, 0), clip, maxBad, "toy", false);
    }

    @Test
    void appliesStepsSkipsNonFiniteOnesAndWritesTheObjectivesColumns(@TempDir Path tmp) throws Exception {
        Device cpu = Devices.parse("cpu");
        Toy toy = new Toy(cpu, Set.of(2.0));
        Recorder rec = new Recorder();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        StepLoop<Double> loop = new StepLoop<>(toy, options(3, 1.0, 5), new PrintStream(log, true));
        try (Adam adam = new Adam(toy.trainable(), 0)) {
            // x = 3 at step 1 (w 1 -> 1.1: Adam's first step is lr·sign(g)), NaN at step 2 (skipped), 3 at step 3.
            StepLoop.Result r = loop.run(step -> step == 2 ? 2.0 : 3.0, adam, 0, tmp.resolve("metrics.csv"), rec);
            assertEquals(1, r.skippedSteps());
            assertTrue(log.toString().contains("step 2: non-finite loss (sq NaN)"), log.toString());
            assertEquals(3, r.lastStep());
            assertEquals(List.of(1L, 3L), toy.hooked, "the after-step hook runs after applied steps only");
            assertEquals(2, adam.stepCount());
            float w = Tensors.toArray(toy.params.get("w"))[0];
            assertEquals(Tensors.toArray(toy.params.get("ema"))[0], w, 0, "the buffer follows through the hook, not Adam");
            assertTrue(w > 1.1f && w < 1.3f, "two applied steps of about 0.1 each: " + w);
        }
        List<String> rows = Files.readAllLines(tmp.resolve("metrics.csv"));
        assertEquals("step,sq,loss,w_seen,lr,grad_norm,extra,seconds,skipped", rows.get(0));
        assertEquals(4, rows.size());
        String[] first = rows.get(1).split(",", -1);
        assertEquals(4.0, Double.parseDouble(first[2]), 1e-6, "(1 - 3)^2");
        assertEquals(4.0, Double.parseDouble(first[5]), 1e-6, "|2 (1 - 3)| before clipping");
        assertEquals("1", rows.get(2).split(",", -1)[8], "step 2 marked skipped");
        assertEquals("end", rows.get(3).split(",", -1)[6]);
        assertEquals(List.of(1L, 2L, 3L), rec.saved);
    }

    @Test
    void clipsTheGradientNormAndStopsAfterTooManyBadSteps(@TempDir Path tmp) {
        Device cpu = Devices.parse("cpu");
        Toy toy = new Toy(cpu, Set.of(2.0));
        try (Adam adam = new Adam(toy.trainable(), 0)) {
            StepLoop<Double> loop = new StepLoop<>(toy, options(10, 1.0, 3), QUIET);
            CoverException e = assertThrows(CoverException.class, () -> loop.run(step -> 2.0, adam, 0, tmp.resolve("m.csv"), new Recorder()));
            assertEquals(CoverException.TRAINING_FAILED, e.exitCode());
            assertTrue(e.getMessage().contains("step 3 after 3 consecutive"), e.getMessage());
            assertEquals(0, adam.stepCount());
        }
        Toy clipped = new Toy(cpu, Set.of());
        try (Adam adam = new Adam(clipped.trainable(), 0); org.cover4j.torch.StepScope s = org.cover4j.torch.StepScope.open()) {
            Objective.Step step = clipped.forward(11.0);
            clipped.backward(step);
            assertEquals(20.0, GradClip.clip(clipped.trainable(), 0.5), 1e-5, "norm before clipping: |2 (1 - 11)|");
            assertEquals(-0.5, Tensors.toArray(clipped.params.get("w").grad())[0], 1e-5, "clipped to 0.5 (up to the 1e-6 guard)");
            Ops.release(step.loss());
        }
    }
}
