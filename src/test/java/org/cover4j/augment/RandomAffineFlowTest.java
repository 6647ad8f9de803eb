package org.cover4j.augment;

import org.cover4j.io.NpyArray;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomAffineFlowTest {
    private static final double TOL = 1e-5;

    private static double compare(String what, float[] got, float[] want) {
        double err = ReferenceFixtures.maxAbsDiff(got, want);
        System.out.printf("RandomAffineFlow %s: max abs error %.3g%n", what, err);
        return err;
    }

    private void check2d(Map<String, NpyArray> f, String tag) {
        int[] shape = Arrays.stream(f.get(tag + "_shape").longs()).mapToInt(Math::toIntExact).toArray();
        RandomAffineFlow.Affine a = RandomAffineFlow.fromDraws(2, f.get(tag + "_draws").doubles());
        assertTrue(compare(tag + "_mat", a.matFloat32(), f.get(tag + "_mat").floats()) <= TOL);
        assertTrue(compare(tag + "_flow", RandomAffineFlow.flow(a, shape), f.get(tag + "_flow").floats()) <= TOL);
    }

    @Test
    void matchesReference2dSquareAndRectangle() {
        Map<String, NpyArray> f = ReferenceFixtures.load("randcoords2d.npz");
        check2d(f, "sq");
        check2d(f, "rect");
    }

    @Test
    void matchesReference3d() {
        Map<String, NpyArray> f = ReferenceFixtures.load("randcoords3d.npz");
        int[] shape = Arrays.stream(f.get("shape").longs()).mapToInt(Math::toIntExact).toArray();
        RandomAffineFlow.Affine a = RandomAffineFlow.fromDraws(3, f.get("draws").doubles());
        assertTrue(compare("3d mat", a.matFloat32(), f.get("mat").floats()) <= TOL);
        assertTrue(compare("3d flow", RandomAffineFlow.flow(a, shape), f.get("flow").floats()) <= TOL);
    }

    @Test
    void identityFlowsMatchReference() {
        Map<String, NpyArray> f = ReferenceFixtures.load("randcoords2d.npz");
        assertArrayEquals(f.get("identity_flow_96").floats(), RandomAffineFlow.identityFlow(new int[] {96, 96}), 0f);
        assertArrayEquals(f.get("identity_flow_5x7").floats(), RandomAffineFlow.identityFlow(new int[] {5, 7}), 0f);
    }

    @Test
    void identityFlowIsHalfPixelForEvenSizesAndZeroForOdd() {
        // SPEC §6.2: S//2 − (S−1)/2 per axis; 3D (4, 5, 6) → 0.5, 0, 0.5.
        float[] f = RandomAffineFlow.identityFlow(new int[] {4, 5, 6});
        int n = 4 * 5 * 6;
        for (int q = 0; q < n; q++) {
            assertEquals(0.5f, f[q]);
            assertEquals(0f, f[n + q]);
            assertEquals(0.5f, f[2 * n + q]);
        }
    }

    @Test
    void regionIsTheCropOfTheFullField() {
        Rng rng = new Rng(11);
        int[] shape = {21, 18, 16};
        RandomAffineFlow.Affine a = RandomAffineFlow.random(shape, 1.5, rng);
        int[] origin = {2, 5, 1}, size = {10, 9, 12};
        float[] full = RandomAffineFlow.flow(a, shape);
        assertArrayEquals(Shapes.crop(full, 3, shape, origin, size), RandomAffineFlow.flow(a, shape, origin, size), 0f);
    }

    @Test
    void drawsStayInsideTheDegreeScaledRanges() {
        Rng rng = new Rng(3);
        int[] shape = {40, 56};
        double angle = 1.5 * Math.PI / 9, shear = 1.5 * Math.PI / 32;
        for (int i = 0; i < 200; i++) {
            double[] d = RandomAffineFlow.drawParameters(shape, 1.5, rng);
            assertEquals(8, d.length);
            assertTrue(Math.abs(d[0]) <= angle && Math.abs(d[1]) <= angle);
            assertTrue(d[2] >= 0.25 && d[2] <= 1.75 && d[3] >= 0.25 && d[3] <= 1.75);
            assertTrue(Math.abs(d[4]) <= shear && Math.abs(d[5]) <= shear);
            assertTrue(Math.abs(d[6]) <= 0.3 * 40 && Math.abs(d[7]) <= 0.3 * 56);
        }
        assertEquals(15, RandomAffineFlow.drawParameters(new int[] {8, 8, 8}, 1.0, rng).length);
    }

    @Test
    void degreeZeroGivesTheIdentityAndBadDegreesAreRefused() {
        float[] f = RandomAffineFlow.flow(RandomAffineFlow.random(new int[] {6, 6}, 0.0, new Rng(1)), new int[] {6, 6});
        assertArrayEquals(RandomAffineFlow.identityFlow(new int[] {6, 6}), f, 1e-6f);
        assertThrows(CoverException.class, () -> RandomAffineFlow.random(new int[] {6, 6}, 2.0, new Rng(1)));
        assertThrows(CoverException.class, () -> RandomAffineFlow.random(new int[] {6, 6}, Double.NaN, new Rng(1)));
    }
}
