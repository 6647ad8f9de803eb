package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.*;

class IntensityTest {

    @Test
    void divideAndMinMax() {
        assertArrayEquals(new float[] {0, 0.5f, 1}, Intensity.divide(new float[] {0, 127.5f, 255}, 255), 1e-7f);
        assertArrayEquals(new float[] {0, 0.25f, 1}, Intensity.minMax(new float[] {-2, -1, 2}), 1e-7f);
        assertArrayEquals(new float[] {0, 0}, Intensity.minMax(new float[] {3, 3}));
    }

    @Test
    void clipScaleToFixedWindow() {
        // clip(x, 0, 2048) / 2048
        float[] out = Intensity.clipScale(new float[] {-5, 0, 512, 2048, 4000}, 0, 2048);
        assertArrayEquals(new float[] {0, 0, 0.25f, 1, 1}, out, 1e-7f);
        assertThrows(CoverException.class, () -> Intensity.clipScale(new float[1], 5, 5));
    }

    @Test
    void zScoreHandComputed() {
        // mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        float[] z = Intensity.zScore(new float[] {1, 2, 3, 4}, false);
        double sd = Math.sqrt(1.25);
        assertArrayEquals(new float[] {(float) (-1.5 / sd), (float) (-0.5 / sd), (float) (0.5 / sd), (float) (1.5 / sd)}, z, 1e-6f);
        // non-zero only: statistics of {2, 4} (mean 3, sd 1); zeros stay zero
        assertArrayEquals(new float[] {0, -1, 0, 1}, Intensity.zScore(new float[] {0, 2, 0, 4}, true), 1e-6f);
        // constant: divided by 1
        assertArrayEquals(new float[] {0, 0}, Intensity.zScore(new float[] {7, 7}, false), 0f);
    }

    @Test
    void percentilesMatchNumpy() {
        float[] x = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
        // np.percentile(np.arange(1, 11), [25, 50, 90]) = [3.25, 5.5, 9.1]
        assertEquals(3.25, Intensity.percentile(x, 25), 1e-9);
        assertEquals(5.5, Intensity.percentile(x, 50), 1e-9);
        assertEquals(9.1, Intensity.percentile(x, 90), 1e-6);
        // window [3.25, 9.1]: 1 -> 0, 10 -> 1, 5 -> (5 - 3.25) / 5.85
        float[] w = Intensity.percentileWindow(x, 25, 90);
        assertEquals(1f, w[0], 0);
        assertEquals(0f, w[1], 0);
        assertEquals((5 - 3.25) / 5.85, w[9], 1e-6);
    }

    @Test
    void inputIsNotModified() {
        float[] x = {1, 2, 3};
        Intensity.minMax(x);
        Intensity.zScore(x, false);
        Intensity.percentileWindow(x, 0, 100);
        assertArrayEquals(new float[] {1, 2, 3}, x);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "div:255", "minmax", "clip:-1000,1000", "zscore", "zscore-nonzero", "pct:0.5,99.5"})
    void normalizationTextRoundTrips(String text) {
        assertEquals(text, Normalization.parse(text).toString());
    }

    @Test
    void normalizationAppliesAndDescribes() {
        Image img = Image.of(new float[] {-2000, 0, 1000}, 1, 3);
        Image out = Normalization.parse("clip:-1000,1000").apply(img);
        assertArrayEquals(new float[] {0, 0.5f, 1}, out.data(), 1e-7f);
        assertArrayEquals(img.shape(), out.shape());
        assertEquals("clip(x, -1000, 1000) to [0,1]", Normalization.clip(-1000, 1000).describe());
        assertEquals("x/255", Normalization.divide(255).describe());
    }

    @Test
    void badNormalizationTextNamesTheChoices() {
        CoverException e = assertThrows(CoverException.class, () -> Normalization.parse("clip:5"));
        assertEquals(CoverException.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("clip:LO,HI"), e.getMessage());
        assertThrows(CoverException.class, () -> Normalization.parse("pct:50,10"));
        assertThrows(CoverException.class, () -> Normalization.parse("div:0"));
    }
}
