package org.cover4j.augment;

import org.cover4j.io.NpyArray;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarpTest {
    private static final double TOL = 1e-6;

    private static int[] spatial(NpyArray a) {
        int[] s = a.intShape();
        return Arrays.copyOfRange(s, 2, s.length);
    }

    private static double check(Map<String, NpyArray> f, String srcKey, String flowKey, String outKey, boolean zeroFlow) {
        NpyArray src = f.get(srcKey);
        int batch = src.intShape()[0], channels = src.intShape()[1];
        int[] sp = spatial(src);
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            float[] flow = zeroFlow ? new float[sp.length * Shapes.count(sp)] : ReferenceFixtures.sample(f.get(flowKey), b);
            float[] got = Warp.warp(ReferenceFixtures.sample(src, b), channels, sp, flow);
            worst = Math.max(worst, ReferenceFixtures.maxAbsDiff(got, ReferenceFixtures.sample(f.get(outKey), b)));
        }
        System.out.printf("Warp %s vs %s: max abs error %.3g%n", srcKey, outKey, worst);
        return worst;
    }

    @Test
    void matchesReferenceStn2d() {
        Map<String, NpyArray> f = ReferenceFixtures.load("stn2d.npz");
        assertTrue(check(f, "src", "flow", "out", false) <= TOL);
        assertTrue(check(f, "src", "flow", "out_zero_flow", true) <= TOL);
    }

    @Test
    void matchesReferenceStn3d() {
        Map<String, NpyArray> f = ReferenceFixtures.load("stn3d.npz");
        assertTrue(check(f, "src", "flow", "out", false) <= TOL);
        assertTrue(check(f, "src", "flow", "out_zero_flow", true) <= TOL);
    }

    @Test
    void matchesReferenceFixedImage2d() {
        Map<String, NpyArray> f = ReferenceFixtures.load("cover2d_small_io.npz");
        assertTrue(check(f, "img_full", "flow_full", "imF_full", false) <= TOL);
    }

    @Test
    void matchesReferenceFixedVolume3d() {
        Map<String, NpyArray> f = ReferenceFixtures.load("cover3d_small_io.npz");
        assertTrue(check(f, "vol_full", "flow_full", "volF_full", false) <= TOL);
    }

    @Test
    void zeroFlowSamplesOnAStretchedGridWithHalfWeightBorders() {
        // SPEC §1.2 by hand: 1x3 row of ones, zero flow: s = p·3/2 − 0.5 → −0.5, 1, 2.5.
        // p=0: neighbours −1 (outside) and 0, weight 0.5 each → 0.5; p=1: exactly pixel 1 → 1; p=2: 0.5.
        float[] out = Warp.warp(new float[] {1, 1, 1}, 1, new int[] {1, 3}, new float[2 * 3]);
        // axis 0 has size 1: S−1 = 0 → location 0/0 = NaN, as in the reference (division by zero).
        assertTrue(Float.isNaN(out[0]));
        float[] col = Warp.warp(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, new int[] {3, 3}, new float[2 * 9]);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1f, 0.5f, 0.25f, 0.5f, 0.25f}, col, 1e-7f);
    }

    @Test
    void regionEqualsCropOfFullWarp() {
        Map<String, NpyArray> f = ReferenceFixtures.load("cover3d_small_io.npz");
        int[] sp = spatial(f.get("vol_full"));
        float[] src = f.get("vol_full").floats();
        float[] flow = f.get("flow_full").floats();
        int[] origin = {3, 7, 11}, size = {20, 17, 30};
        float[] full = Warp.warp(src, 1, sp, flow);
        float[] region = Warp.warpRegion(src, 1, sp, Shapes.crop(flow, 3, sp, origin, size), origin, size);
        assertArrayEquals(Shapes.crop(full, 1, sp, origin, size), region, 0f);
        assertEquals(0, ReferenceFixtures.countDifferent(Shapes.crop(full, 1, sp, origin, size), region));
    }
}
