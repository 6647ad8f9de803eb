package org.cover4j.pretrain.pixcl;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Warp;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pixel-wise InfoNCE against explicit double-precision sums, and an invariant of correspondence. */
class PixclLossTest {
    static final double TAU = 0.2;
    static final int B = 2, C = 4, H = 5, W = 6, P = H * W;

    /**
     * Two images with random features, anchors and negatives that overlap (so an anchor's own pixel is among its
     * negatives and must be left out), one image's anchors not all valid-looking: the loss equals the mean over all
     * anchors of −log(e^{s+/τ} / (e^{s+/τ} + Σ e^{s−/τ})), and its gradients equal central differences of that sum.
     */
    @Test
    void lossAndGradientsEqualAnExplicitDoubleSum() {
        Rng rng = new Rng(5);
        float[] qv = gaussian(rng, B * C * P);
        float[] kv = gaussian(rng, B * C * P);
        int[][] anchors = {{0, 7, 8, 29, 13}, {3, 4, 21}};
        int[][] negatives = {{8, 1, 2, 29, 17, 25, 0}, {21, 9, 3, 11}};
        try (StepScope s = StepScope.open()) {
            Tensor q = Autograd.leaf(Tensors.of(qv, B, C, H, W));
            Tensor k = Autograd.leaf(Tensors.of(kv, B, C, H, W));
            Tensor loss = PixclLoss.level(q, k, anchors, negatives, TAU);
            double expected = oracle(qv, kv, anchors, negatives);
            assertEquals(expected, loss.item_double(), 1e-5 * Math.abs(expected), "loss");
            Autograd.backward(List.of(loss), List.of(Tensors.of(new float[] {1f}, new long[0])));
            assertGradient("dL/dq", Tensors.toArray(q.grad()), qv, kv, anchors, negatives, true);
            assertGradient("dL/dk", Tensors.toArray(k.grad()), qv, kv, anchors, negatives, false);
        }
    }

    @Test
    void aLevelWithoutAnchorsHasNoLoss() {
        try (StepScope s = StepScope.open()) {
            Tensor q = Tensors.of(new float[B * C * P], B, C, H, W);
            assertNull(PixclLoss.level(q, q, new int[][] {{}, {}}, new int[][] {{}, {}}, TAU));
        }
    }

    /**
     * Identical views with zero flow and well-separated features (each pixel its own random direction in 16
     * channels): the warped moving view's feature at an anchor is (nearly) the anchor's own, so the loss is lower
     * than when the correspondences are shuffled.
     */
    @Test
    void trueCorrespondencesGiveALowerLossThanShuffledOnes() {
        int c = 16, h = 8, w = 8, p = h * w;
        Rng rng = new Rng(9);
        float[] features = gaussian(rng, c * p);
        int[] all = new int[p];
        for (int i = 0; i < p; i++) all[i] = i;
        int[] shuffle = all.clone();
        rng.shuffle(shuffle);
        try (StepScope s = StepScope.open()) {
            Tensor view = Tensors.of(features, 1, c, h, w);
            Tensor warped = Warp.apply(view, Tensors.of(new float[2 * p], 1, 2, h, w));
            float[] wv = Tensors.toArray(warped);
            float[] shuffled = new float[wv.length];
            for (int ch = 0; ch < c; ch++) for (int i = 0; i < p; i++) shuffled[ch * p + i] = wv[ch * p + shuffle[i]];
            int[][] anchors = {all};
            double aligned = PixclLoss.level(view, warped, anchors, anchors, TAU).item_double();
            double misaligned = PixclLoss.level(view, Tensors.of(shuffled, 1, c, h, w), anchors, anchors, TAU).item_double();
            assertTrue(aligned < misaligned - 1, "aligned " + aligned + " vs shuffled " + misaligned);
        }
    }

    /** The mean over every anchor of the batch of the InfoNCE term, in double precision, from the definition. */
    static double oracle(float[] q, float[] k, int[][] anchors, int[][] negatives) {
        double sum = 0;
        int count = 0;
        for (int b = 0; b < anchors.length; b++) {
            for (int i : anchors[b]) {
                double[] qi = unit(q, b, i);
                double positive = Math.exp(dot(qi, unit(k, b, i)) / TAU);
                double denominator = positive;
                for (int n : negatives[b]) if (n != i) denominator += Math.exp(dot(qi, unit(k, b, n)) / TAU);
                sum += -Math.log(positive / denominator);
                count++;
            }
        }
        return sum / count;
    }

    private static void assertGradient(String what, float[] actual, float[] q, float[] k, int[][] anchors, int[][] negatives, boolean ofQ) {
        double step = 1e-3;
        for (int e = 0; e < actual.length; e++) {
            float[] plus = (ofQ ? q : k).clone();
            float[] minus = plus.clone();
            plus[e] += (float) step;
            minus[e] -= (float) step;
            double up = ofQ ? oracle(plus, k, anchors, negatives) : oracle(q, plus, anchors, negatives);
            double down = ofQ ? oracle(minus, k, anchors, negatives) : oracle(q, minus, anchors, negatives);
            double expected = (up - down) / (plus[e] - minus[e]);
            assertEquals(expected, actual[e], 2e-3 * Math.max(1, Math.abs(expected)), what + " at " + e);
        }
    }

    private static double[] unit(float[] x, int b, int pixel) {
        double[] v = new double[C];
        double norm = 0;
        for (int ch = 0; ch < C; ch++) {
            v[ch] = x[(b * C + ch) * P + pixel];
            norm += v[ch] * v[ch];
        }
        norm = Math.sqrt(norm);
        for (int ch = 0; ch < C; ch++) v[ch] /= norm;
        return v;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static float[] gaussian(Rng rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
        return v;
    }
}
