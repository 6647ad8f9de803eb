package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

class FeatureDispersionTest {

    @Test
    void handCases() {
        // Identical directions: distance 0. Orthonormal vectors: every pair at distance 1.
        assertEquals(0.0, FeatureDispersion.meanPairwiseCosineDistance(new float[][] {{1, 2}, {2, 4}, {0.5f, 1}}), 1e-12);
        assertEquals(1.0, FeatureDispersion.meanPairwiseCosineDistance(new float[][] {{1, 0, 0}, {0, 3, 0}, {0, 0, 2}}), 1e-12);
        // (1,0), (0,1), (-1,0): pair distances 1, 2, 1 → mean 4/3; the zero vector is left out.
        assertEquals(4.0 / 3, FeatureDispersion.meanPairwiseCosineDistance(new float[][] {{1, 0}, {0, 1}, {-1, 0}, {0, 0}}), 1e-12);
        assertTrue(Double.isNaN(FeatureDispersion.meanPairwiseCosineDistance(new float[][] {{1, 0}})));
    }

    @Test
    void matchesExplicitPairLoop() {
        Rng rng = new Rng(3);
        int n = 17;
        int d = 5;
        float[] flat = new float[n * d];
        for (int i = 0; i < flat.length; i++) flat[i] = (float) rng.nextGaussian();
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dot = 0, ni = 0, nj = 0;
                for (int k = 0; k < d; k++) {
                    dot += flat[i * d + k] * flat[j * d + k];
                    ni += flat[i * d + k] * flat[i * d + k];
                    nj += flat[j * d + k] * flat[j * d + k];
                }
                sum += 1 - dot / Math.sqrt(ni * nj);
                pairs++;
            }
        }
        assertEquals(sum / pairs, FeatureDispersion.meanPairwiseCosineDistance(flat, n, d), 1e-6);
    }
}
