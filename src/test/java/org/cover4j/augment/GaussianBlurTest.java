package org.cover4j.augment;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GaussianBlurTest {
    @Test
    void radiusIsScipysTruncateRule() {
        // int(4σ + 0.5)
        assertEquals(0, GaussianBlur.radius(0));
        assertEquals(0, GaussianBlur.radius(0.05));
        assertEquals(0, GaussianBlur.radius(0.1249));
        assertEquals(1, GaussianBlur.radius(0.125));
        assertEquals(2, GaussianBlur.radius(0.6));
        assertEquals(3, GaussianBlur.radius(0.7));
        assertEquals(4, GaussianBlur.radius(1.0));
    }

    @Test
    void referenceSigmaRangeIsAnExactNoOp() {
        Rng rng = new Rng(5);
        float[] x = new float[2 * 12 * 13];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] y = x.clone();
        GaussianBlur.blur(y, 2, new int[] {12, 13}, AppearanceTransform.REFERENCE_BLUR_SIGMA_MAX);
        assertArrayEquals(x, y, 0f);
    }

    @Test
    void deltaGivesTheOuterProductOfTheHandComputedKernel() {
        double sigma = 0.7;   // radius int(3.3) = 3
        int h = 9, w = 11;
        float[] x = new float[h * w];
        x[4 * w + 5] = 1;
        GaussianBlur.blur(x, 1, new int[] {h, w}, sigma);
        double[] k = new double[7];
        double sum = 0;
        for (int i = -3; i <= 3; i++) sum += k[i + 3] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                int di = i - 4, dj = j - 5;
                double want = Math.abs(di) <= 3 && Math.abs(dj) <= 3 ? k[di + 3] / sum * k[dj + 3] / sum : 0;
                assertEquals(want, x[i * w + j], 1e-7, "at " + i + "," + j);
            }
        }
        // scipy.ndimage.gaussian_filter(delta, 0.7, mode='reflect') (SciPy 1.17.1, float32): centre row
        float[] scipyRow = {0f, 0f, 3.33500102e-05f, 5.48130739e-03f, 1.17046125e-01f, 3.24724227e-01f,
                1.17046125e-01f, 5.48130739e-03f, 3.33500102e-05f, 0f, 0f};
        for (int j = 0; j < w; j++) assertEquals(scipyRow[j], x[4 * w + j], 1e-9f);
    }

    @Test
    void reflectBoundaryMatchesScipy() {
        // scipy.ndimage.gaussian_filter(np.arange(1,7,dtype=float32).reshape(1,6), 1.0, mode='reflect')
        float[] x = {1, 2, 3, 4, 5, 6};
        GaussianBlur.blur(x, 1, new int[] {1, 6}, 1.0);
        assertArrayEquals(new float[] {1.4270409f, 2.067956f, 3.0046995f, 3.9953005f, 4.932044f, 5.572959f}, x, 1e-6f);
        // delta at (0, 1) of a 6×7 image, σ = 0.9: row 0 and column 1, from scipy as above
        float[] d = new float[6 * 7];
        d[1] = 1;
        GaussianBlur.blur(d, 1, new int[] {6, 7}, 0.9);
        float[] row0 = {1.8876386e-01f, 3.0364379e-01f, 1.6317251e-01f, 2.5606878e-02f, 1.1693420e-03f, 1.5536760e-05f, 0f};
        float[] col1 = {3.03643793e-01f, 1.23095155e-01f, 1.74610913e-02f, 7.72673462e-04f, 1.01317055e-05f, 0f};
        for (int j = 0; j < 7; j++) assertEquals(row0[j], d[j], 1e-8f);
        for (int i = 0; i < 6; i++) assertEquals(col1[i], d[i * 7 + 1], 1e-8f);
    }

    @Test
    void channelsAreNotMixedAnd3dPreservesTheSum() {
        int[] sp = {7, 8, 9};
        int n = 7 * 8 * 9;
        float[] x = new float[2 * n];
        x[(3 * 8 + 4) * 9 + 4] = 1;   // channel 0 delta well inside, channel 1 zero
        GaussianBlur.blur(x, 2, sp, 0.8);
        double sum0 = 0;
        for (int i = 0; i < n; i++) sum0 += x[i];
        assertEquals(1.0, sum0, 1e-6);
        for (int i = n; i < 2 * n; i++) assertEquals(0f, x[i]);
        assertEquals(x[(3 * 8 + 4) * 9 + 3], x[(3 * 8 + 4) * 9 + 5], 1e-9f);   // symmetric along the last axis
    }
}
