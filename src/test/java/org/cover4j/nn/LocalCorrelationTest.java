package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LocalCorrelation's Java kernel and tensor-operation path against a naive implementation written here (nested
 * loops over every output element, double accumulation, key gradient by scattering instead of gathering), against
 * autograd, and across thread counts; MoV's mixture and the fused gradient through its softmax against the same
 * sums written out here and against the unfused tensor operations.
 */
class LocalCorrelationTest {
    private static final double RTOL = 1e-5;

    /** One problem: batch, channels, spatial shape, heads, amp, with random q, k and upstream gradient. */
    private static final class Case {
        final int batch, channels, heads, amp, nd, offsets, positions;
        final int[] spatial;
        final float[] q, k, g, gout;

        Case(String shape, int heads, int amp, int batch, long seed) {
            this.spatial = Arrays.stream(shape.split("x")).mapToInt(Integer::parseInt).toArray();
            this.nd = spatial.length;
            this.heads = heads;
            this.amp = amp;
            this.batch = batch;
            this.channels = 8 * heads;
            this.offsets = (int) Math.round(Math.pow(2 * amp + 1, nd));
            this.positions = Arrays.stream(spatial).reduce(1, (a, b) -> a * b);
            Rng rng = new Rng(seed);
            q = gaussian(rng.derive(1), batch * channels * positions);
            k = gaussian(rng.derive(2), batch * channels * positions);
            g = gaussian(rng.derive(3), batch * offsets * heads * positions);
            gout = gaussian(rng.derive(4), batch * nd * positions);
        }

        long[] outShape() {
            long[] s = new long[2 + nd];
            s[0] = batch;
            s[1] = nd;
            for (int d = 0; d < nd; d++) s[2 + d] = spatial[d];
            return s;
        }

        /** out[b,d,p] = (1/h) Σ_n v_n[d] Σ_j attn[b,n,j,p], in double. */
        float[] naiveMixture(float[] attn) {
            float[] out = new float[batch * nd * positions];
            for (int b = 0; b < batch; b++)
                for (int d = 0; d < nd; d++)
                    for (int p = 0; p < positions; p++) {
                        double sum = 0;
                        for (int n = 0; n < offsets; n++)
                            for (int j = 0; j < heads; j++) sum += offset(n)[d] * (double) attn[((b * offsets + n) * heads + j) * positions + p];
                        out[(b * nd + d) * positions + p] = (float) (sum / heads);
                    }
            return out;
        }

        /**
         * The logits' gradient through softmax (dim 1) and the mixture for upstream gradient {@link #gout}, in
         * double: a_n = (1/h) Σ_d v_n[d]·gout[d]; glogits[n,j] = attn[n,j]·(a_n − Σ_m attn[m,j]·a_m).
         */
        float[] naiveLogitGrad(float[] attn) {
            float[] gl = new float[attn.length];
            double[] a = new double[offsets];
            for (int b = 0; b < batch; b++)
                for (int p = 0; p < positions; p++) {
                    for (int n = 0; n < offsets; n++) {
                        double sum = 0;
                        for (int d = 0; d < nd; d++) sum += offset(n)[d] * (double) gout[(b * nd + d) * positions + p];
                        a[n] = sum / heads;
                    }
                    for (int j = 0; j < heads; j++) {
                        double dot = 0;
                        for (int n = 0; n < offsets; n++) dot += attn[((b * offsets + n) * heads + j) * positions + p] * a[n];
                        for (int n = 0; n < offsets; n++) {
                            int at = ((b * offsets + n) * heads + j) * positions + p;
                            gl[at] = (float) (attn[at] * (a[n] - dot));
                        }
                    }
                }
            return gl;
        }

        long[] inputShape() {
            long[] s = new long[2 + nd];
            s[0] = batch;
            s[1] = channels;
            for (int d = 0; d < nd; d++) s[2 + d] = spatial[d];
            return s;
        }

        long[] logitShape() {
            long[] s = new long[3 + nd];
            s[0] = batch;
            s[1] = offsets;
            s[2] = heads;
            for (int d = 0; d < nd; d++) s[3 + d] = spatial[d];
            return s;
        }

        /** Offset n, first spatial axis slowest (written out here, independent of MoV.templates). */
        int[] offset(int n) {
            int side = 2 * amp + 1;
            int[] v = new int[nd];
            for (int d = nd - 1; d >= 0; d--) {
                v[d] = n % side - amp;
                n /= side;
            }
            return v;
        }

        /** The flat index of position p + v, or -1 when it lies outside the image. */
        int neighbour(int p, int[] v) {
            int flat = 0;
            int rest = p;
            int[] coord = new int[nd];
            for (int d = nd - 1; d >= 0; d--) {
                coord[d] = rest % spatial[d];
                rest /= spatial[d];
            }
            for (int d = 0; d < nd; d++) {
                int c = coord[d] + v[d];
                if (c < 0 || c >= spatial[d]) return -1;
                flat = flat * spatial[d] + c;
            }
            return flat;
        }

        float[] naiveLogits() {
            float[] out = new float[batch * offsets * heads * positions];
            for (int b = 0; b < batch; b++)
                for (int n = 0; n < offsets; n++)
                    for (int j = 0; j < heads; j++)
                        for (int p = 0; p < positions; p++) {
                            int r = neighbour(p, offset(n));
                            double sum = 0;
                            if (r >= 0) {
                                for (int c = j; c < channels; c += heads) {
                                    sum += (double) q[(b * channels + c) * positions + p] * k[(b * channels + c) * positions + r];
                                }
                            }
                            out[((b * offsets + n) * heads + j) * positions + p] = r >= 0 ? (float) sum : -1000f;
                        }
            return out;
        }

        /** {gq, gk}; gk scattered from each pair (p, p + v) rather than gathered. */
        float[][] naiveGrads() {
            double[] gq = new double[q.length];
            double[] gk = new double[k.length];
            for (int b = 0; b < batch; b++)
                for (int n = 0; n < offsets; n++)
                    for (int p = 0; p < positions; p++) {
                        int r = neighbour(p, offset(n));
                        if (r < 0) continue;
                        for (int c = 0; c < channels; c++) {
                            double gv = g[((b * offsets + n) * heads + c % heads) * positions + p];
                            int base = (b * channels + c) * positions;
                            gq[base + p] += gv * k[base + r];
                            gk[base + r] += gv * q[base + p];
                        }
                    }
            return new float[][] {toFloat(gq), toFloat(gk)};
        }
    }

    @ParameterizedTest(name = "{0} heads={1} amp={2} B={3}")
    @CsvSource({
        "12x20, 1, 1, 1",
        "12x20, 4, 2, 2",
        "12x20, 1, 2, 2",
        "80x70, 1, 2, 1", // several row blocks per slab
        "6x8x10, 1, 1, 2",
        "6x8x10, 4, 2, 1",
        "6x8x10, 1, 2, 1",
        "3x5x4, 4, 2, 2", // the window is wider than the volume on every axis
    })
    void bothPathsMatchTheNaiveSums(String shape, int heads, int amp, int batch) {
        Case cs = new Case(shape, heads, amp, batch, shape.hashCode() * 31L + heads * 7 + amp * 3 + batch);
        float[] logits = cs.naiveLogits();
        float[][] grads = cs.naiveGrads();
        try (StepScope s = StepScope.open()) {
            Tensor q = Tensors.of(cs.q, cs.inputShape());
            Tensor k = Tensors.of(cs.k, cs.inputShape());
            Tensor g = Tensors.of(cs.g, cs.logitShape());
            for (boolean java : new boolean[] {true, false}) {
                String path = java ? "java " : "torch ";
                Tensor out = java ? LocalCorrelation.forwardJava(q, k, heads, amp) : LocalCorrelation.forwardTorch(q, k, heads, amp);
                assertArrayEquals(cs.logitShape(), out.shape(), path + "logit shape");
                assertClose(path + "logits", logits, Tensors.toArray(out));
                Tensor[] d = java ? LocalCorrelation.backwardJava(g, q, k, heads, amp)
                        : LocalCorrelation.backwardTorch(g, q, k, heads, amp);
                assertArrayEquals(cs.inputShape(), d[0].shape(), path + "gq shape");
                assertArrayEquals(cs.inputShape(), d[1].shape(), path + "gk shape");
                assertClose(path + "gq", grads[0], Tensors.toArray(d[0]));
                assertClose(path + "gk", grads[1], Tensors.toArray(d[1]));
            }
            // the public entry points take the Java kernel on CPU float32
            assertClose("forward", logits, Tensors.toArray(LocalCorrelation.forward(q, k, heads, amp)));
            Tensor[] d = LocalCorrelation.backward(g, q, k, heads, amp);
            assertClose("backward gk", grads[1], Tensors.toArray(d[1]));
        }
    }

    @ParameterizedTest(name = "{0} heads={1} amp={2} B={3}")
    @CsvSource({
        "12x20, 1, 1, 1",
        "12x20, 4, 2, 2",
        "80x70, 1, 2, 1", // several row blocks per slab
        "6x8x10, 1, 2, 2",
        "6x8x10, 4, 1, 1",
        "7x5x9, 1, 2, 1",
        "3x5x4, 4, 2, 2", // the window is wider than the volume on every axis
    })
    void movMixtureAndFusedSoftmaxBackwardMatchTheUnfusedSums(String shape, int heads, int amp, int batch) {
        Case cs = new Case(shape, heads, amp, batch, shape.hashCode() * 17L + heads * 5 + amp * 3 + batch);
        try (StepScope s = StepScope.open()) {
            Tensor q = Tensors.of(cs.q, cs.inputShape());
            Tensor k = Tensors.of(cs.k, cs.inputShape());
            Tensor gout = Tensors.of(cs.gout, cs.outShape());
            // real softmax weights: outside neighbours get exactly 0
            Tensor attn = Ops.softmax(LocalCorrelation.forwardJava(q, k, heads, amp), 1);
            float[] weights = Tensors.toArray(attn);

            float[] mixture = cs.naiveMixture(weights);
            Tensor outJava = LocalCorrelation.mixtureJava(attn, heads, amp);
            assertArrayEquals(cs.outShape(), outJava.shape(), "mixture shape");
            assertClose("java mixture", mixture, Tensors.toArray(outJava));
            assertClose("torch mixture", mixture, Tensors.toArray(LocalCorrelation.mixtureTorch(attn, heads, amp)));
            assertClose("public mixture", mixture, Tensors.toArray(LocalCorrelation.mixture(attn, heads, amp)));

            // the unfused composition: the logits' gradient as a whole tensor, then the plain backward
            Tensor glogits = Tensors.of(cs.naiveLogitGrad(weights), cs.logitShape());
            Tensor[] expected = LocalCorrelation.backwardJava(glogits, q, k, heads, amp);
            float[] eq = Tensors.toArray(expected[0]), ek = Tensors.toArray(expected[1]);
            for (Tensor out : new Tensor[] {null, outJava}) { // s from the weights, and from out with one head
                String what = out == null ? "fused " : "fused with out ";
                Tensor[] fused = LocalCorrelation.backwardThroughSoftmaxJava(attn, out, gout, q, k, heads, amp);
                assertArrayEquals(cs.inputShape(), fused[0].shape(), what + "gq shape");
                assertArrayEquals(cs.inputShape(), fused[1].shape(), what + "gk shape");
                assertClose(what + "gq", eq, Tensors.toArray(fused[0]));
                assertClose(what + "gk", ek, Tensors.toArray(fused[1]));
            }
            Tensor[] ops = LocalCorrelation.backwardThroughSoftmaxTorch(attn, gout, q, k, heads, amp);
            assertClose("tensor-operation gq", eq, Tensors.toArray(ops[0]));
            assertClose("tensor-operation gk", ek, Tensors.toArray(ops[1]));
            Tensor[] pub = LocalCorrelation.backwardThroughSoftmax(attn, outJava, gout, q, k, heads, amp);
            assertClose("public gk", ek, Tensors.toArray(pub[1]));
        }
    }

    @Test
    void cpuFloatTensorsTakeTheJavaKernel() {
        // JavaCPP hands out a fresh enum object per scalar_type() call; a plain == once sent everything to the
        // tensor operations
        try (StepScope s = StepScope.open()) {
            assertTrue(LocalCorrelation.cpuFloat(torch.zeros(2, 3)), "float32 on the CPU");
            assertTrue(!LocalCorrelation.cpuFloat(torch.zeros(2, 3).to(torch.ScalarType.Double)), "float64");
        }
    }

    @Test
    void inPlaceSoftmaxOnTheCpuEqualsAFreshOne() {
        // MoV takes the softmax of its logits in place; a reordered libtorch kernel would show here
        Case cs = new Case("6x8x10", 1, 2, 2, 21);
        try (StepScope s = StepScope.open()) {
            Tensor logits = LocalCorrelation.forwardJava(Tensors.of(cs.q, cs.inputShape()), Tensors.of(cs.k, cs.inputShape()), 1, 2);
            float[] fresh = Tensors.toArray(Ops.softmax(logits, 1));
            torch.softmax_out(logits, logits, 1);
            assertArrayEquals(fresh, Tensors.toArray(logits));
        }
    }

    @Test
    void outsideNeighboursAreExactlyMinus1000AndOnlyThose() {
        Case cs = new Case("5x6x7", 2, 1, 1, 11);
        float[] naive = cs.naiveLogits();
        try (StepScope s = StepScope.open()) {
            Tensor q = Tensors.of(cs.q, cs.inputShape());
            Tensor k = Tensors.of(cs.k, cs.inputShape());
            float[] java = Tensors.toArray(LocalCorrelation.forwardJava(q, k, 2, 1));
            float[] ops = Tensors.toArray(LocalCorrelation.forwardTorch(q, k, 2, 1));
            int outside = 0;
            for (int i = 0; i < naive.length; i++) {
                boolean out = naive[i] == -1000f;
                if (out) outside++;
                assertEquals(out, java[i] == -1000f, "java element " + i);
                assertEquals(out, ops[i] == -1000f, "torch element " + i);
            }
            // 27 offsets over 5·6·7 positions, per head; inside pairs: Π_d Σ_v (S_d − |v|) = 13·16·19
            assertEquals(2 * (27 * 210 - 13 * 16 * 19), outside);
        }
    }

    @Test
    void channelsLastInputsGiveTheSameValues() {
        Case cs = new Case("4x6x5", 2, 1, 2, 5);
        try (StepScope s = StepScope.open()) {
            Tensor q = Tensors.of(cs.q, cs.inputShape());
            Tensor k = Tensors.of(cs.k, cs.inputShape());
            Tensor g = Tensors.of(cs.g, cs.logitShape());
            Tensor ql = Ops.channelsLast(q), kl = Ops.channelsLast(k);
            assertTrue(!ql.is_contiguous(), "the test input really is channels-last");
            for (boolean java : new boolean[] {true, false}) {
                Tensor a = java ? LocalCorrelation.forwardJava(q, k, 2, 1) : LocalCorrelation.forwardTorch(q, k, 2, 1);
                Tensor b = java ? LocalCorrelation.forwardJava(ql, kl, 2, 1) : LocalCorrelation.forwardTorch(ql, kl, 2, 1);
                assertClose("channels-last logits", Tensors.toArray(a), Tensors.toArray(b));
                Tensor[] da = java ? LocalCorrelation.backwardJava(g, q, k, 2, 1) : LocalCorrelation.backwardTorch(g, q, k, 2, 1);
                Tensor[] db = java ? LocalCorrelation.backwardJava(g, ql, kl, 2, 1) : LocalCorrelation.backwardTorch(g, ql, kl, 2, 1);
                assertClose("channels-last gq", Tensors.toArray(da[0]), Tensors.toArray(db[0]));
                assertClose("channels-last gk", Tensors.toArray(da[1]), Tensors.toArray(db[1]));
            }
        }
    }

    @ParameterizedTest(name = "{0} heads={1} amp={2}")
    @CsvSource({"9x11, 4, 2", "5x6x7, 1, 1", "5x6x7, 2, 2"})
    void backwardEqualsAutogradOfTheTensorOperations(String shape, int heads, int amp) {
        Case cs = new Case(shape, heads, amp, 2, 99);
        try (StepScope s = StepScope.open()) {
            Tensor q = Tensors.of(cs.q, cs.inputShape());
            Tensor k = Tensors.of(cs.k, cs.inputShape());
            Tensor g = Tensors.of(cs.g, cs.logitShape());
            Tensor[] d = LocalCorrelation.backward(g, q, k, heads, amp);
            q.requires_grad_(true);
            k.requires_grad_(true);
            LocalCorrelation.forwardTorch(q, k, heads, amp).mul(g).sum().backward();
            assertClose("gq vs autograd", Tensors.toArray(q.grad()), Tensors.toArray(d[0]));
            assertClose("gk vs autograd", Tensors.toArray(k.grad()), Tensors.toArray(d[1]));
        }
    }

    @Test
    void javaKernelIsBitwiseTheSameOnOneAndTwoThreads() {
        int before = torch.get_num_threads();
        Case[] cases = {new Case("80x70", 1, 2, 2, 3), new Case("6x8x10", 4, 2, 2, 4)};
        try (StepScope s = StepScope.open()) {
            for (Case cs : cases) {
                Tensor q = Tensors.of(cs.q, cs.inputShape());
                Tensor k = Tensors.of(cs.k, cs.inputShape());
                Tensor g = Tensors.of(cs.g, cs.logitShape());
                Tensor gout = Tensors.of(cs.gout, cs.outShape());
                Tensor attn = Ops.softmax(LocalCorrelation.forwardJava(q, k, cs.heads, cs.amp), 1);
                float[][] results = new float[2][];
                float[][] gks = new float[2][];
                float[][] gqs = new float[2][];
                float[][] outs = new float[2][];
                float[][] fusedGqs = new float[2][];
                float[][] fusedGks = new float[2][];
                for (int t = 1; t <= 2; t++) {
                    torch.set_num_threads(t);
                    results[t - 1] = Tensors.toArray(LocalCorrelation.forwardJava(q, k, cs.heads, cs.amp));
                    Tensor[] d = LocalCorrelation.backwardJava(g, q, k, cs.heads, cs.amp);
                    gqs[t - 1] = Tensors.toArray(d[0]);
                    gks[t - 1] = Tensors.toArray(d[1]);
                    outs[t - 1] = Tensors.toArray(LocalCorrelation.mixtureJava(attn, cs.heads, cs.amp));
                    Tensor[] f = LocalCorrelation.backwardThroughSoftmaxJava(attn, null, gout, q, k, cs.heads, cs.amp);
                    fusedGqs[t - 1] = Tensors.toArray(f[0]);
                    fusedGks[t - 1] = Tensors.toArray(f[1]);
                }
                assertArrayEquals(results[0], results[1], "logits");
                assertArrayEquals(gqs[0], gqs[1], "gq");
                assertArrayEquals(gks[0], gks[1], "gk");
                assertArrayEquals(outs[0], outs[1], "mixture");
                assertArrayEquals(fusedGqs[0], fusedGqs[1], "fused gq");
                assertArrayEquals(fusedGks[0], fusedGks[1], "fused gk");
            }
        } finally {
            torch.set_num_threads(before);
        }
    }

    @Test
    void badShapesAreRefusedByName() {
        try (StepScope s = StepScope.open()) {
            Tensor q = torch.zeros(2, 6, 4, 4);
            Tensor k3 = torch.zeros(2, 6, 4, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LocalCorrelation.forward(q, k3, 1, 1));
            assertTrue(e.getMessage().contains("differ in shape"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> LocalCorrelation.forward(q, q, 4, 1));
            assertTrue(e.getMessage().contains("not divisible by 4 heads"), e.getMessage());
            Tensor wrongGrad = torch.zeros(2, 9, 2, 4, 4);
            e = assertThrows(IllegalArgumentException.class, () -> LocalCorrelation.backward(wrongGrad, q, q, 1, 1));
            assertTrue(e.getMessage().contains("expected [2, 9, 1, 4, 4]"), e.getMessage());
        }
    }

    /** |actual − expected| ≤ RTOL · max|expected| everywhere (and exact equality of the -1000 entries follows). */
    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (float e : expected) if (e != -1000f) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == -1000f) {
                assertEquals(-1000f, actual[i], 0f, what + ": element " + i + " lies outside the image");
            } else if (!(Math.abs(actual[i] - expected[i]) <= RTOL * scale)) {
                throw new AssertionError(String.format("%s: element %d is %.9g, expected %.9g (scale %.3g)",
                        what, i, actual[i], expected[i], scale));
            }
        }
    }

    private static float[] gaussian(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
