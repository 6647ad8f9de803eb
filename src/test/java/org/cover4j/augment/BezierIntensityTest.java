package org.cover4j.augment;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BezierIntensityTest {
    private static final double[] P1 = {0.2, 0.9}, P2 = {0.7, 0.1};

    @Test
    void curvePassesThroughItsEndsAndHandComputedPoints() {
        double[][] c = BezierIntensity.bezierCurve(P1, P2, 101);
        assertEquals(0, c[0][0], 0);
        assertEquals(0, c[1][0], 0);
        assertEquals(1, c[0][100], 1e-15);
        assertEquals(1, c[1][100], 1e-15);
        // t = 0.5: weights 1/8, 3/8, 3/8, 1/8
        assertEquals(0.375 * 0.2 + 0.375 * 0.7 + 0.125, c[0][50], 1e-15);
        assertEquals(0.375 * 0.9 + 0.375 * 0.1 + 0.125, c[1][50], 1e-15);
        // t = 0.25: weights 27/64, 27/64, 9/64, 1/64
        assertEquals((27 * 0.2 + 9 * 0.7 + 1) / 64, c[0][25], 1e-15);
        assertEquals((27 * 0.9 + 9 * 0.1 + 1) / 64, c[1][25], 1e-15);
    }

    @Test
    void interpolationFollowsNumpyInterp() {
        // np.interp([-1, 0, 0.5, 1.5, 3, 4, 5], [0, 1, 2, 4], [0, 10, 5, 5]) and np.interp(1, [0,1,1,2], [0,1,3,4])
        float[] x = {-1, 0, 0.5f, 1.5f, 3, 4, 5, Float.NaN};
        BezierIntensity.applyIntensityMapping(x, new double[] {0, 1, 2, 4}, new double[] {0, 10, 5, 5});
        assertArrayEquals(new float[] {0, 0, 5, 7.5f, 5, 5, 5, Float.NaN}, x, 0f);
        float[] y = {1};
        BezierIntensity.applyIntensityMapping(y, new double[] {0, 1, 1, 2}, new double[] {0, 1, 3, 4});
        assertEquals(3f, y[0], 0f);
    }

    private static float[] ramp() {
        float[] x = new float[1001];
        for (int i = 0; i < x.length; i++) x[i] = i / 1000f;
        return x;
    }

    @Test
    void increasingMappingIsMonotoneAndKeepsTheEnds() {
        Rng r = new Rng(3);
        for (int trial = 0; trial < 20; trial++) {
            double[] p1 = {r.nextDouble(), r.nextDouble()}, p2 = {r.nextDouble(), r.nextDouble()};
            double[][] table = BezierIntensity.mapping(p1, p2, false, 10_000);
            float[] x = ramp();
            BezierIntensity.applyIntensityMapping(x, table[0], table[1]);
            assertEquals(0, x[0], 1e-6);
            assertEquals(1, x[1000], 1e-6);
            for (int i = 1; i < x.length; i++) assertTrue(x[i] >= x[i - 1], "not increasing at " + i);
        }
    }

    @Test
    void decreasingMappingReversesTheCurvesYValuesAndTheEnds() {
        double[][] curve = BezierIntensity.bezierCurve(P1, P2, 1000);
        double[][] table = BezierIntensity.mapping(P1, P2, true, 1000);
        for (int k = 0; k < 1000; k++) assertEquals(curve[1][999 - k], table[1][k], 0);
        for (int k = 1; k < 1000; k++) assertTrue(table[0][k] >= table[0][k - 1]);
        // y monotone in t when 0 ≤ y1 ≤ y2 ≤ 1 (the derivative's Bernstein coefficients are all ≥ 0): then decreasing
        table = BezierIntensity.mapping(new double[] {0.8, 0.3}, new double[] {0.1, 0.6}, true, 10_000);
        float[] x = ramp();
        BezierIntensity.applyIntensityMapping(x, table[0], table[1]);
        assertEquals(1, x[0], 1e-6);
        assertEquals(0, x[1000], 1e-6);
        for (int i = 1; i < x.length; i++) assertTrue(x[i] <= x[i - 1], "not decreasing at " + i);
    }

    @Test
    void randomMappingTakesBothDirections() {
        int decreasing = 0;
        for (int s = 0; s < 40; s++) {
            float[] x = {0, 1};
            boolean down = BezierIntensity.randomMapping(x, new Rng(s));
            assertArrayEquals(down ? new float[] {1, 0} : new float[] {0, 1}, x, 1e-6f);
            if (down) decreasing++;
        }
        assertTrue(decreasing > 5 && decreasing < 35, "decreasing " + decreasing + " of 40");
    }
}
