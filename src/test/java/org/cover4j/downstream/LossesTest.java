package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The losses against the same formulas evaluated by hand in double precision. */
class LossesTest {
    // Two samples, three classes, 2x2 pixels: logits (B, K, H, W) and labels (B, H, W).
    static final float[] LOGITS = {
            2.0f, -1.0f, 0.5f, 0.0f, /* k=1 */ 0.3f, 1.5f, -0.2f, 0.1f, /* k=2 */ -1.0f, 0.0f, 2.5f, -0.5f,
            0.7f, 0.2f, -0.3f, 1.1f, /* k=1 */ -0.4f, 0.9f, 0.0f, 0.6f, /* k=2 */ 1.2f, -0.8f, 0.4f, 0.0f};
    static final int[] LABELS = {0, 1, 2, 0, 2, 1, 0, 1};

    @Test
    void diceCrossEntropyMatchesHandComputation() {
        int b = 2, k = 3, n = 4;
        double[][] p = new double[b * k][n];
        double ce = 0;
        for (int i = 0; i < b; i++) {
            for (int v = 0; v < n; v++) {
                double z = 0;
                for (int c = 0; c < k; c++) z += Math.exp(LOGITS[(i * k + c) * n + v]);
                for (int c = 0; c < k; c++) p[i * k + c][v] = Math.exp(LOGITS[(i * k + c) * n + v]) / z;
                ce -= Math.log(p[i * k + LABELS[i * n + v]][v]);
            }
        }
        ce /= b * n;
        double diceSum = 0;
        for (int c = 1; c < k; c++) {
            double inter = 0, ps = 0, ts = 0;
            for (int i = 0; i < b; i++) {
                for (int v = 0; v < n; v++) {
                    double t = LABELS[i * n + v] == c ? 1 : 0;
                    inter += p[i * k + c][v] * t;
                    ps += p[i * k + c][v];
                    ts += t;
                }
            }
            diceSum += (2 * inter + 1e-5) / (ps + ts + 1e-5);
        }
        double diceLoss = 1 - diceSum / (k - 1);
        try (StepScope s = StepScope.open()) {
            Tensor logits = Tensors.of(LOGITS, 2, 3, 2, 2);
            Tensor onehot = Tensors.of(FineTuner.oneHot(LABELS, k, b, n), 2, 3, 2, 2);
            Losses.Seg l = Losses.diceCrossEntropy(logits, onehot);
            assertEquals(ce, l.crossEntropy().item_double(), 1e-6);
            assertEquals(diceLoss, l.diceLoss().item_double(), 1e-6);
            assertEquals(ce + diceLoss, l.total().item_double(), 1e-6);
        }
    }

    @Test
    void weightedCrossEntropyIsPytorchsWeightedMean() {
        float[] logits = {1.0f, -0.5f, 0.2f, 0.3f, 0.0f, 2.0f};
        int[] y = {0, 1, 1};
        double[] classWeight = {1.0, 3.0};
        double num = 0, den = 0;
        for (int i = 0; i < 3; i++) {
            double z = Math.exp(logits[2 * i]) + Math.exp(logits[2 * i + 1]);
            double nll = -Math.log(Math.exp(logits[2 * i + y[i]]) / z);
            num += classWeight[y[i]] * nll;
            den += classWeight[y[i]];
        }
        try (StepScope s = StepScope.open()) {
            Tensor out = Losses.crossEntropy(Tensors.of(logits, 3, 2), Tensors.of(FineTuner.oneHot(y, 2, 3, 1), 3, 2),
                    Tensors.of(new float[] {1f, 3f, 3f}, 3));
            assertEquals(num / den, out.item_double(), 1e-6);
        }
    }

    @Test
    void oneHotPutsAOneAtEachLabel() {
        float[] oh = FineTuner.oneHot(new int[] {2, 0, 1}, 3, 1, 3);
        assertEquals(0f, oh[0]); // class 0 row: voxel 0 has label 2
        assertEquals(1f, oh[1]);
        assertEquals(1f, oh[3 + 2]);
        assertEquals(1f, oh[6 + 0]);
        double sum = 0;
        for (float v : oh) sum += v;
        assertEquals(3, sum);
    }
}
