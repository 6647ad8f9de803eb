package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    @Test
    void binaryByHand() {
        int[] truth = {0, 0, 1, 1, 0, 1};
        double[] s = {0.1, 0.4, 0.35, 0.8, 0.35, 0.9};
        double[][] probs = new double[6][];
        for (int i = 0; i < 6; i++) probs[i] = new double[] {1 - s[i], s[i]};
        ClassificationResult r = ClassificationMetrics.compute(truth, null, probs, 2);
        // Arg-max predictions: 0 0 0 1 0 1 → truth 0: [3, 0], truth 1: [1, 2].
        assertArrayEquals(new long[] {3, 0}, r.confusion()[0]);
        assertArrayEquals(new long[] {1, 2}, r.confusion()[1]);
        assertEquals(5.0 / 6, r.accuracy(), 1e-15);
        assertEquals(2.0 / 3, r.sensitivity(), 1e-15);
        assertEquals(1.0, r.specificity(), 1e-15);
        assertEquals((1 + 2.0 / 3) / 2, r.balancedAccuracy(), 1e-15);
        // Positive scores 0.35, 0.8, 0.9 against negatives 0.1, 0.4, 0.35: 0.35 beats 0.1 and ties 0.35
        // (1.5 pairs), 0.8 and 0.9 beat all three: 7.5 of 9 pairs.
        assertEquals(7.5 / 9, r.auc(), 1e-15);
        assertEquals(6, r.n());
    }

    @Test
    void multiClassOneVsRestByHand() {
        int[] truth = {0, 1, 2, 2};
        double[][] probs = {{0.6, 0.3, 0.1}, {0.2, 0.5, 0.3}, {0.1, 0.2, 0.7}, {0.3, 0.4, 0.3}};
        ClassificationResult r = ClassificationMetrics.compute(truth, null, probs, 3);
        assertEquals(0.75, r.accuracy(), 1e-15);
        assertArrayEquals(new double[] {1, 1, 0.5}, r.perClassSensitivity(), 1e-15);
        // Specificity of class 1: negatives are cases 0, 2, 3 and case 3 was called 1.
        assertArrayEquals(new double[] {1, 2.0 / 3, 1}, r.perClassSpecificity(), 1e-15);
        // Class 2: positives 0.7, 0.3 vs negatives 0.1, 0.3 → 2 + 1.5 of 4 pairs; classes 0 and 1 separate.
        assertArrayEquals(new double[] {1, 1, 0.875}, r.perClassAuc(), 1e-15);
        assertEquals((1 + 1 + 0.875) / 3, r.auc(), 1e-15);
        assertEquals(2.5 / 3, r.balancedAccuracy(), 1e-15);
        assertEquals(2.5 / 3, r.sensitivity(), 1e-15);
        assertEquals((2 + 2.0 / 3) / 3, r.specificity(), 1e-15);
    }

    @Test
    void classAbsentFromReferenceIsLeftOutOfMacroMeans() {
        int[] truth = {0, 0, 1, 1};
        int[] pred = {0, 2, 1, 1};
        ClassificationResult r = ClassificationMetrics.compute(truth, pred, null, 3);
        assertTrue(Double.isNaN(r.perClassSensitivity()[2]));
        assertEquals((0.5 + 1) / 2, r.balancedAccuracy(), 1e-15);
        assertTrue(Double.isNaN(r.auc()));
    }

    @Test
    void rejectsLabelsOutOfRange() {
        assertThrows(CoverException.class, () -> ClassificationMetrics.compute(new int[] {0, 3}, new int[] {0, 1}, null, 2));
        assertThrows(CoverException.class, () -> ClassificationMetrics.compute(new int[] {0, 1}, null, new double[][] {{1, 0}}, 2));
    }
}
