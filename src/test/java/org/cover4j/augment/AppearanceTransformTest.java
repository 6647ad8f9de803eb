package org.cover4j.augment;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppearanceTransformTest {
    private static float[] randomImage(int n, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    @Test
    void noiseHasTheRequestedStandardDeviation() {
        float[] x = new float[200 * 200];
        AppearanceTransform.addGaussianNoise(x, 0.01, new Rng(1));
        double s = 0, ss = 0;
        for (float v : x) {
            s += v;
            ss += v * v;
        }
        double mean = s / x.length, std = Math.sqrt(ss / x.length - mean * mean);
        assertEquals(0, mean, 3 * 0.01 / 200);          // 3 standard errors
        assertEquals(0.01, std, 0.01 * 0.02);           // 40000 samples: relative s.e. of std ≈ 0.35 %
    }

    @Test
    void contrastKeepsTheMeanAndScalesDeviations() {
        float[] x = randomImage(64 * 64, 2);
        float[] y = x.clone();
        AppearanceTransform.adjustContrast(y, 1.3);
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= x.length;
        assertEquals(mx, my, 1e-6);
        for (int i = 0; i < x.length; i += 97) assertEquals(1.3 * (x[i] - mx), y[i] - my, 1e-5);
    }

    @Test
    void inpaintingBlocksRespectSizesMarginsAndShareValuesAcrossChannels() {
        int s = 128;
        int n = s * s;
        int total = 0, trials = 400;
        for (int t = 0; t < trials; t++) {
            float[] x = new float[2 * n];
            java.util.Arrays.fill(x, 0, n, -1f);
            java.util.Arrays.fill(x, n, 2 * n, -2f);
            List<AppearanceTransform.Block> blocks = AppearanceTransform.inpaint(x, 2, new int[] {s, s}, new Rng(100 + t));
            assertTrue(blocks.size() <= 10);
            total += blocks.size();
            boolean[] covered = new boolean[n];
            for (AppearanceTransform.Block b : blocks) {
                for (int d = 0; d < 2; d++) {
                    assertTrue(b.size()[d] >= 12 && b.size()[d] <= 16, "size " + b.size()[d]);   // randint(12, 17)
                    assertTrue(b.origin()[d] >= 3, "origin " + b.origin()[d]);
                    assertTrue(b.origin()[d] + b.size()[d] <= s - 4);                           // randint(3, S−b−3)
                }
                for (int i = 0; i < b.size()[0]; i++) {
                    for (int j = 0; j < b.size()[1]; j++) covered[(b.origin()[0] + i) * s + b.origin()[1] + j] = true;
                }
            }
            for (int q = 0; q < n; q++) {
                if (covered[q]) {
                    assertTrue(x[q] >= 0 && x[q] < 1);
                    assertEquals(x[q], x[n + q]);
                } else {
                    assertEquals(-1f, x[q]);
                    assertEquals(-2f, x[n + q]);
                }
            }
        }
        // E[count] = Σ_{k=1..10} 0.95^k = 7.62; the count's s.d. is about 3, so the mean of 400 is within ±0.5.
        assertEquals(7.62, (double) total / trials, 0.5);
    }

    @Test
    void inpainting3dUsesPerAxisSizes() {
        int[] sp = {64, 60, 90};   // sizes randint(6,8), randint(6,8), randint(9,12)
        float[] x = new float[64 * 60 * 90];
        for (int t = 0; t < 20; t++) {
            for (AppearanceTransform.Block b : AppearanceTransform.inpaint(x, 1, sp, new Rng(t))) {
                assertTrue(b.size()[0] >= 6 && b.size()[0] <= 7);
                assertTrue(b.size()[1] >= 6 && b.size()[1] <= 7);
                assertTrue(b.size()[2] >= 9 && b.size()[2] <= 11);
                for (int d = 0; d < 3; d++) {
                    assertTrue(b.origin()[d] >= 3 && b.origin()[d] + b.size()[d] <= sp[d] - 4);
                }
            }
        }
    }

    @Test
    void tinyImagesDoNotFail() {
        float[] x = new float[8 * 8];
        AppearanceTransform.inpaint(x, 1, new int[] {8, 8}, new Rng(1));
        new AppearanceTransform(AppearanceMode.PAPER).apply(new float[5 * 5 * 5], 1, new int[] {5, 5, 5}, new Rng(2));
    }

    @Test
    void referenceModeIsNoiseContrastBrightnessInpaintingWithAnUnusedBlurDraw() {
        int[] sp = {48, 40};
        float[] x = randomImage(48 * 40, 3);
        float[] got = x.clone();
        new AppearanceTransform(AppearanceMode.REFERENCE).apply(got, 1, sp, new Rng(9));

        Rng r = new Rng(9);
        float[] want = x.clone();
        AppearanceTransform.addGaussianNoise(want, r.uniform(0, 0.02), r);
        double sigma = r.uniform(0, 0.05);
        assertTrue(sigma < 0.125);
        AppearanceTransform.adjustContrast(want, r.uniform(0.5, 1.5));
        AppearanceTransform.addBrightness(want, r.gaussian(0, 0.1));
        AppearanceTransform.inpaint(want, 1, sp, r);
        assertArrayEquals(want, got, 0f);
    }

    @Test
    void paperModeAppliesEachOperationWithProbabilityPointNine() {
        // On a constant image, contrast is a no-op and brightness shifts every value equally, so "noise was
        // applied" ⇔ values outside the in-painted blocks are not all equal. Blur alone cannot create variation.
        int[] sp = {32, 32};
        int applied = 0, trials = 1000;
        AppearanceTransform t = new AppearanceTransform(AppearanceMode.PAPER);
        for (int k = 0; k < trials; k++) {
            float[] x = new float[32 * 32];
            java.util.Arrays.fill(x, 0.5f);
            t.apply(x, 1, sp, new Rng(1000 + k));
            // pixel rows 0..2 are never in-painted (margin 3)
            boolean varied = false;
            for (int q = 1; q < 3 * 32; q++) varied |= x[q] != x[0];
            if (varied) applied++;
        }
        assertEquals(0.9, applied / (double) trials, 0.03);   // s.e. ≈ 0.0095
    }

    @Test
    void seededAndDeterministicIn2dAnd3d() {
        for (AppearanceMode mode : AppearanceMode.values()) {
            for (int[] sp : new int[][] {{40, 36}, {20, 22, 24}}) {
                int n = 2 * Shapes.count(sp);
                float[] a = randomImage(n, 4), b = a.clone(), c = a.clone();
                AppearanceTransform t = new AppearanceTransform(mode);
                t.apply(a, 2, sp, new Rng(77));
                t.apply(b, 2, sp, new Rng(77));
                t.apply(c, 2, sp, new Rng(78));
                assertArrayEquals(a, b, 0f);
                assertFalse(java.util.Arrays.equals(a, c));
            }
        }
        assertEquals(AppearanceMode.PAPER, AppearanceMode.DEFAULT);
    }

    @Test
    void paperBlurRangeReallyBlurs() {
        // σ ~ U(0.1, 1.0): radius int(4σ+0.5) ≥ 1 from σ = 0.125 on (σ < 0.125, 2.8 % of draws, is scipy's no-op
        // too); at the top of the range the kernel has radius 4 and spreads a delta over its neighbours.
        assertEquals(4, GaussianBlur.radius(AppearanceTransform.PAPER_BLUR_SIGMA_MAX));
        for (double sigma : new double[] {0.3, 0.6, 1.0}) {
            float[] d = new float[9 * 9];
            d[40] = 1;
            GaussianBlur.blur(d, 1, new int[] {9, 9}, sigma);
            assertTrue(d[40] < 1 && d[39] > 1e-4 && d[31] > 1e-4, "sigma " + sigma);
        }
    }
}
