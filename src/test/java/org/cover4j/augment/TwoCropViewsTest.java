package org.cover4j.augment;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoCropViewsTest {
    @Test
    void twoViewsOfTheCropSizeThatDifferAndRepeatPerSeed() {
        for (int[] shape : new int[][] {{40, 36}, {20, 18, 22}}) {
            int crop = 16;
            float[] image = LocalPixelShuffleTest.distinctValues(2 * Shapes.count(shape), 1);
            float[] copy = image.clone();
            for (AppearanceMode mode : AppearanceMode.values()) {
                float[][] v = TwoCropViews.make(image, 2, shape, crop, mode, new Rng(3));
                float[][] again = TwoCropViews.make(image, 2, shape, crop, mode, new Rng(3));
                float[][] other = TwoCropViews.make(image, 2, shape, crop, mode, new Rng(4));
                assertEquals(2, v.length);
                for (int i = 0; i < 2; i++) {
                    assertEquals(2 * (int) Math.pow(crop, shape.length), v[i].length);
                    assertArrayEquals(v[i], again[i], 0f);
                    assertFalse(Arrays.equals(v[i], other[i]));
                }
                assertFalse(Arrays.equals(v[0], v[1]));
            }
            assertArrayEquals(copy, image, 0f);
        }
    }

    @Test
    void viewsAreFlippedCropsBeforeTheirAppearanceChange() {
        // The geometric part alone, replayed: corner, flip coins, then the appearance draws of the view.
        int[] shape = {30, 26};
        int crop = 12;
        float[] image = LocalPixelShuffleTest.distinctValues(Shapes.count(shape), 2);
        int flipped = 0;
        for (int seed = 0; seed < 20; seed++) {
            float[][] v = TwoCropViews.make(image, 1, shape, crop, AppearanceMode.REFERENCE, new Rng(seed));
            Rng r = new Rng(seed);
            for (int view = 0; view < 2; view++) {
                int[] origin = CoverViews.drawCropOrigin(shape, new int[] {crop, crop}, r);
                float[] expected = Shapes.crop(image, 1, shape, origin, new int[] {crop, crop});
                for (int d = 0; d < 2; d++) {
                    if (r.nextDouble() < 0.5) {
                        expected = Flips.flip(expected, 1, new int[] {crop, crop}, d);
                        flipped++;
                    }
                }
                new AppearanceTransform(AppearanceMode.REFERENCE).apply(expected, 1, new int[] {crop, crop}, r);
                assertArrayEquals(expected, v[view], 0f);
            }
        }
        assertTrue(flipped > 10 && flipped < 70, "flips " + flipped + " of 80");
    }
}
