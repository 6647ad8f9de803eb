package org.cover4j.downstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

class SlidingWindowTest {

    private static int[] starts(List<int[]> pos, int axis) {
        return pos.stream().mapToInt(p -> p[axis]).distinct().toArray();
    }

    @Test
    void positionsFollowMonaiSteps() {
        // patch 4, overlap 0.5 → step 2. Size 10: 0 2 4 6 (6 + 4 = 10, flush). Size 11: 0 2 4 6 7.
        SlidingWindow sw = new SlidingWindow(new int[] {4, 4}, 0.5, 0.125);
        List<int[]> p = sw.positions(new int[] {10, 11});
        assertArrayEquals(new int[] {0, 2, 4, 6}, starts(p, 0));
        assertArrayEquals(new int[] {0, 2, 4, 6, 7}, starts(p, 1));
        assertEquals(20, p.size());
        assertArrayEquals(new int[] {0, 2}, p.get(1)); // last axis fastest
        // Shorter than the patch: one patch, centred (MONAI pads diff // 2 before): 4 - 1 = 3 → start -1.
        assertArrayEquals(new int[] {-1}, starts(sw.positions(new int[] {1, 4}), 0));
        assertArrayEquals(new int[] {0}, starts(sw.positions(new int[] {1, 4}), 1));
        // Zero overlap tiles; overlap 0.9 of 4 floors to a step of 1 (never 0).
        assertArrayEquals(new int[] {0, 4, 6}, starts(new SlidingWindow(new int[] {4, 4}, 0, 0).positions(new int[] {10, 4}), 0));
        assertEquals(7, new SlidingWindow(new int[] {4, 4}, 0.9, 0).positions(new int[] {10, 4}).size());
    }

    @Test
    void positionsCoverEveryVoxel() {
        int[][] shapes = {{13, 7, 9}, {3, 20, 5}, {8, 8, 8}};
        for (double overlap : new double[] {0, 0.25, 0.5, 0.75}) {
            SlidingWindow sw = new SlidingWindow(new int[] {4, 6, 5}, overlap, 0.125);
            for (int[] shape : shapes) {
                int[] hits = new int[shape[0] * shape[1] * shape[2]];
                for (int[] s : sw.positions(shape)) {
                    for (int z = Math.max(0, s[0]); z < Math.min(shape[0], s[0] + 4); z++)
                        for (int y = Math.max(0, s[1]); y < Math.min(shape[1], s[1] + 6); y++)
                            for (int x = Math.max(0, s[2]); x < Math.min(shape[2], s[2] + 5); x++)
                                hits[(z * shape[1] + y) * shape[2] + x]++;
                }
                for (int h : hits) assertTrue(h > 0, "uncovered voxel, overlap " + overlap);
            }
        }
    }

    @Test
    void gaussianWeightsByHand() {
        // Patch 5, sigma = 0.125 * 5 = 0.625: exp(-1 / (2 * 0.390625)) = exp(-1.28) at ±1, exp(-5.12) at ±2.
        float[] w = new SlidingWindow(new int[] {5, 1}, 0.5, 0.125).gaussianWeights();
        assertArrayEquals(new float[] {(float) Math.exp(-5.12), (float) Math.exp(-1.28), 1f,
            (float) Math.exp(-1.28), (float) Math.exp(-5.12)}, w, 1e-7f);
        // Even 3D patch: symmetric under every axis flip, positive, floored at 1e-3; the centre falls between
        // voxels, so the peak is the product of the per-axis values at x = 0.5 (sigmas 0.75, 0.5, 1).
        int[] p = {6, 4, 8};
        float[] g = new SlidingWindow(p, 0.25, 0.125).gaussianWeights();
        float max = 0;
        for (int z = 0; z < 6; z++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 8; x++) {
                    float v = g[(z * 4 + y) * 8 + x];
                    assertTrue(v >= 1e-3f);
                    assertEquals(v, g[((5 - z) * 4 + y) * 8 + x]);
                    assertEquals(v, g[(z * 4 + 3 - y) * 8 + x]);
                    assertEquals(v, g[(z * 4 + y) * 8 + 7 - x]);
                    max = Math.max(max, v);
                }
            }
        }
        double peak = Math.exp(-0.25 / (2 * 0.75 * 0.75)) * Math.exp(-0.25 / (2 * 0.5 * 0.5)) * Math.exp(-0.25 / 2);
        assertEquals(peak, max, 1e-6);
        assertEquals(1e-3f, g[0]); // corner of a small-sigma map is clamped
    }

    @Test
    void identityPredictorReconstructsImages() {
        Rng rng = new Rng(11);
        int[][] patches = {{4, 6}, {5, 3, 4}};
        int[][][] shapes = {{{9, 14}, {4, 6}, {2, 3}, {17, 5}}, {{7, 7, 7}, {2, 9, 3}, {5, 3, 4}}};
        for (int k = 0; k < patches.length; k++) {
            for (double overlap : new double[] {0, 0.25, 0.6}) {
                SlidingWindow sw = new SlidingWindow(patches[k], overlap, 0.125);
                for (int[] shape : shapes[k]) {
                    int channels = 2;
                    int n = channels;
                    for (int s : shape) n *= s;
                    float[] img = new float[n];
                    for (int i = 0; i < n; i++) img[i] = (float) rng.uniform(-3, 5);
                    for (int batch : new int[] {1, 3}) {
                        float[] out = sw.infer(img, channels, shape, channels, (b, nb) -> b.clone(), batch);
                        // Exact up to float32 rounding of the weighted sums (|values| <= 5, a few ulps).
                        assertArrayEquals(img, out, 1e-5f);
                    }
                }
            }
        }
    }

    @Test
    void predictorOutputIsBlendedAndChannelsCanChange() {
        // Each patch predicts a constant: its own index. A voxel covered by one patch gets that value; where
        // two patches overlap, the value lies strictly between them (a weighted mean).
        SlidingWindow sw = new SlidingWindow(new int[] {4, 4}, 0.5, 0.125);
        int[] shape = {4, 8};
        int[] counter = {0};
        float[] out = sw.infer(new float[32], 1, shape, 3, (b, nb) -> {
            float[] r = new float[nb * 3 * 16];
            java.util.Arrays.fill(r, counter[0]++);
            return r;
        });
        assertEquals(3, counter[0]); // column starts 0, 2, 4
        assertEquals(96, out.length);
        assertEquals(0f, out[0], 1e-6f);     // column 0: patch 0 only
        assertEquals(2f, out[7], 1e-6f);     // column 7: patch 2 only
        assertEquals(out[3], out[2 * 32 + 3]); // same values in every output channel
        assertTrue(out[3] > 0.5f && out[3] < 1f, "column 3 blends patches 0 and 1, nearer 1's centre: " + out[3]);
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(CoverException.class, () -> new SlidingWindow(new int[] {4}, 0.5, 0.125));
        assertThrows(CoverException.class, () -> new SlidingWindow(new int[] {4, 4}, 1.0, 0.125));
        SlidingWindow sw = new SlidingWindow(new int[] {4, 4}, 0.5, 0.125);
        assertThrows(CoverException.class, () -> sw.infer(new float[10], 1, new int[] {3, 4}, 1, (b, n) -> b));
        CoverException e = assertThrows(CoverException.class,
                () -> sw.infer(new float[12], 1, new int[] {3, 4}, 2, (b, n) -> b));
        assertTrue(e.getMessage().contains("expected 32"), e.getMessage());
    }
}
