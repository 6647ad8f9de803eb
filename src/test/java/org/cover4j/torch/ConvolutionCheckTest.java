package org.cover4j.torch;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConvolutionCheck}: its direct convolution against hand-computed values, the convolutions this process uses
 * against it on every probe (whatever the check decided on this machine), and its decision on injected wrong
 * convolutions.
 */
class ConvolutionCheckTest {
    @Test
    void directConvolutionMatchesHandComputedValues() {
        // 1 image, 1 channel, 3x3: [[1,2,3],[4,5,6],[7,8,9]]; one 3x3 filter of ones, zero padding 1.
        double[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        double[] w = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        double[] y = ConvolutionCheck.direct(x, new long[] {1, 1, 3, 3}, w, new long[] {1, 1, 3, 3}, 1);
        // Corner: 1+2+4+5 = 12; edge (0,1): 1+2+3+4+5+6 = 21; centre: 45.
        assertEquals(9, y.length);
        assertEquals(12, y[0]);
        assertEquals(21, y[1]);
        assertEquals(45, y[4]);
        assertEquals(5 + 6 + 8 + 9, y[8]);
        // Stride 2 keeps the corners and the centre rows/columns 0 and 2.
        double[] s = ConvolutionCheck.direct(x, new long[] {1, 1, 3, 3}, w, new long[] {1, 1, 3, 3}, 2);
        assertEquals(4, s.length);
        assertEquals(12, s[0]);
        assertEquals(16, s[1]); // 2+3+5+6
        // 3D: a 1x1x1 filter of weight 2 over 2 channels of a 1x2x2 volume sums them, doubled.
        double[] v = ConvolutionCheck.direct(new double[] {1, 2, 3, 4, 10, 20, 30, 40}, new long[] {1, 2, 1, 2, 2},
                new double[] {2, 2}, new long[] {1, 2, 1, 1, 1}, 1);
        assertEquals(22, v[0]);
        assertEquals(88, v[3]);
    }

    @Test
    void theConvolutionsInUseAreRightOnEveryProbe() {
        Torch.load();
        assertTrue(ConvolutionCheck.outcome() != null, "the check ran when libtorch was loaded");
        List<ConvolutionCheck.Result> wrong = ConvolutionCheck.failures();
        assertTrue(wrong.isEmpty(), () -> "after the start-up check: " + wrong.get(0).describe());
        assertEquals(Torch.mkldnnAvailable(), ConvolutionCheck.outcome().onednn(), "the outcome says whether oneDNN is on");
    }

    @Test
    void aConvolutionOffByOnePercentFailsAFloat32ProbeAndIsCaught() {
        Torch.load();
        BiFunction<ConvolutionCheck.Probe, Tensor[], Tensor> skewed = (p, xw) -> {
            Tensor y = ConvolutionCheck.libtorch(p, xw);
            return p.bf16() ? y : y.mul(new Scalar(1.01)); // the gradients follow: off by 1% too
        };
        List<ConvolutionCheck.Result> wrong = ConvolutionCheck.failures(skewed);
        long fp32 = ConvolutionCheck.PROBES.stream().filter(p -> !p.bf16()).count();
        assertEquals(fp32, wrong.size(), "every float32 probe and no bfloat16 one");
        for (ConvolutionCheck.Result r : wrong) {
            assertFalse(r.probe().bf16());
            assertEquals(0.01, r.error(), 0.002, r.describe());
        }
    }

    /**
     * {@link Ops#conv2d} on the case oneDNN got wrong on one CPU (1×1, stride 2, channels-last input, 512 filters: off by
     * half of its scale there): the forward against the direct computation, and the input and weight gradients against
     * libtorch's float64 convolution (not oneDNN, which has no float64 kernels).
     */
    @Test
    void stridedConvolutionOfAChannelsLastInputIsRightForwardAndBackward() {
        Torch.load();
        try (StepScope s = StepScope.open()) {
            org.cover4j.util.Rng rng = new org.cover4j.util.Rng(3);
            long[] xs = {2, 64, 8, 8};
            long[] ws = {512, 64, 1, 1};
            float[] xv = new float[2 * 64 * 64];
            float[] wv = new float[512 * 64];
            for (int i = 0; i < xv.length; i++) xv[i] = (float) rng.uniform(-1, 1);
            for (int i = 0; i < wv.length; i++) wv[i] = (float) rng.uniform(-1, 1);
            Tensor x = Ops.channelsLast(Tensors.of(xv, xs)).detach().requires_grad_(true);
            Tensor w = Tensors.of(wv, ws).requires_grad_(true);
            assertTrue(Ops.isChannelsLast(x));
            Tensor y = Ops.conv2d(x, w, null, 2, 0, 1);
            double[] xd = new double[xv.length], wd = new double[wv.length];
            for (int i = 0; i < xv.length; i++) xd[i] = xv[i];
            for (int i = 0; i < wv.length; i++) wd[i] = wv[i];
            double[] exact = ConvolutionCheck.direct(xd, xs, wd, ws, 2);
            float[] got = Tensors.toArray(y);
            double scale = 0;
            for (double v : exact) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < exact.length; i++) assertEquals(exact[i], got[i], 1e-5 * scale, "output " + i);

            y.sum().backward();
            Tensor x64 = Tensors.of(xv, xs).to(torch.ScalarType.Double).requires_grad_(true);
            Tensor w64 = Tensors.of(wv, ws).to(torch.ScalarType.Double).requires_grad_(true);
            torch.conv2d(x64, w64, new org.bytedeco.pytorch.TensorOptional(), Ops.repeat(2, 2), Ops.repeat(0, 2), Ops.repeat(1, 2), 1)
                    .sum().backward();
            assertClose(Tensors.toArray(x64.grad()), Tensors.toArray(x.grad()), "input gradient");
            assertClose(Tensors.toArray(w64.grad()), Tensors.toArray(w.grad()), "weight gradient");
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 1e-5 * scale, what + " " + i);
    }

    private static ConvolutionCheck.Probe probe(String part) {
        return ConvolutionCheck.PROBES.stream().filter(p -> p.name().contains(part)).findFirst().orElseThrow();
    }

    /** A stand-in for libtorch's switch, with convolutions that are wrong with oneDNN on (and, if asked, off too). */
    private static final class FakeMachine {
        boolean onednn = true;
        final boolean wrongWith;
        final boolean wrongWithout;
        final List<Boolean> switched = new ArrayList<>();

        FakeMachine(boolean wrongWith, boolean wrongWithout) {
            this.wrongWith = wrongWith;
            this.wrongWithout = wrongWithout;
        }

        List<ConvolutionCheck.Result> check() {
            if (onednn ? !wrongWith : !wrongWithout) return List.of();
            return List.of(new ConvolutionCheck.Result(probe("stride-2"), "output", 0.56),
                    new ConvolutionCheck.Result(probe("one channel"), "weight gradient", 0.3));
        }

        void set(boolean on) {
            switched.add(on);
            onednn = on;
        }
    }

    @Test
    void wrongOnlyWithOneDnnSwitchesItOffAndSaysWhy() {
        FakeMachine m = new FakeMachine(true, false);
        ConvolutionCheck.Outcome o = ConvolutionCheck.decide(null, true, m::check, m::set);
        assertFalse(o.onednn());
        assertFalse(m.onednn);
        assertEquals(List.of(false), m.switched);
        assertTrue(o.message().startsWith("oneDNN's convolutions give wrong results on this CPU (float32 2D 1x1 stride-2"), o.message());
        assertTrue(o.message().contains("512 filters): output off by 56% of its scale, and 1 more of 11 probes"), o.message());
        assertTrue(o.message().contains("COVER4J_ONEDNN=on"), o.message());
    }

    @Test
    void wrongEitherWayRefusesAndLeavesOneDnnAsItWas() {
        FakeMachine m = new FakeMachine(true, true);
        CoverException e = assertThrows(CoverException.class, () -> ConvolutionCheck.decide("auto", true, m::check, m::set));
        assertTrue(e.getMessage().startsWith("convolutions give wrong results on this machine with and without oneDNN"), e.getMessage());
        assertEquals(List.of(false, true), m.switched);
        FakeMachine off = new FakeMachine(true, true);
        off.onednn = false;
        assertThrows(CoverException.class, () -> ConvolutionCheck.decide(null, false, off::check, off::set));
        assertEquals(List.of(), off.switched, "nothing to switch where oneDNN is off already");
    }

    @Test
    void rightConvolutionsChangeNothingAndTheSettingIsObeyed() {
        FakeMachine right = new FakeMachine(false, false);
        ConvolutionCheck.Outcome o = ConvolutionCheck.decide("", true, right::check, right::set);
        assertTrue(o.onednn());
        assertEquals("auto", o.setting(), "blank means auto");
        assertNull(o.message());
        assertEquals(List.of(), right.switched);

        FakeMachine wrong = new FakeMachine(true, true);
        ConvolutionCheck.Outcome on = ConvolutionCheck.decide("ON", true, wrong::check, wrong::set);
        assertTrue(on.onednn(), "on: no check");
        assertEquals("on", on.setting());
        assertEquals(List.of(), wrong.switched);
        assertFalse(ConvolutionCheck.decide("off", true, wrong::check, wrong::set).onednn(), "off: no check either");
        assertEquals(List.of(false), wrong.switched);
        CoverException e = assertThrows(CoverException.class, () -> ConvolutionCheck.decide("maybe", true, wrong::check, wrong::set));
        assertEquals("COVER4J_ONEDNN must be auto, on or off, got 'maybe'", e.getMessage());
    }
}
