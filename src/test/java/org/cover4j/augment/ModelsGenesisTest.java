package org.cover4j.augment;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsGenesisTest {
    private static final int[][] SHAPES = {{24, 20}, {16, 12, 20}};

    /** Every combination of axis reversals of {@code x}, by index arithmetic (independent of {@link Flips}). */
    private static List<float[]> allFlips(float[] x, int[] spatial) {
        int nd = spatial.length;
        List<float[]> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << nd; mask++) {
            float[] y = new float[x.length];
            for (int at = 0; at < x.length; at++) {
                int from = 0;
                for (int d = 0, rest = at, stride = x.length; d < nd; d++) {
                    stride /= spatial[d];
                    int p = rest / stride;
                    rest %= stride;
                    from += ((mask >> d & 1) == 1 ? spatial[d] - 1 - p : p) * stride;
                }
                y[at] = x[from];
            }
            out.add(y);
        }
        return out;
    }

    private static int whichFlip(float[] target, List<float[]> flips) {
        for (int i = 0; i < flips.size(); i++) if (Arrays.equals(flips.get(i), target)) return i;
        return -1;
    }

    @Test
    void flipsMoveInputAndTargetTogether() {
        ModelsGenesis.Settings often = new ModelsGenesis.Settings(0.7, 3, 0, 10_000, 0, 0, 0);
        ModelsGenesis.Settings always = new ModelsGenesis.Settings(1, 3, 0, 10_000, 0, 0, 0);
        for (int[] spatial : SHAPES) {
            float[] image = LocalPixelShuffleTest.distinctValues(Shapes.count(spatial), 4);
            List<float[]> flips = allFlips(image, spatial);
            boolean[] seen = new boolean[1 << spatial.length];
            for (int s = 0; s < 300; s++) {   // rarest in 3D: two given axes, 0.7²·0.3·2/9 ≈ 3.3 % of samples
                ModelsGenesis.Pair p = ModelsGenesis.make(image, spatial, often, new Rng(s));
                assertArrayEquals(p.target(), p.input(), 0f);
                int k = whichFlip(p.target(), flips);
                assertTrue(k >= 0, "target is not a flip of the image");
                seen[k] = true;
                // exactly three flips: an odd number of axes ends up reversed
                ModelsGenesis.Pair three = ModelsGenesis.make(image, spatial, always, new Rng(s));
                assertArrayEquals(three.target(), three.input(), 0f);
                assertEquals(1, Integer.bitCount(whichFlip(three.target(), flips)) % 2);
            }
            for (boolean b : seen) assertTrue(b, "some flip combination never occurred");
        }
    }

    @Test
    void targetIsTheCleanFlippedImageAndInputIsDistorted() {
        for (int[] spatial : SHAPES) {
            float[] image = LocalPixelShuffleTest.distinctValues(Shapes.count(spatial), 5);
            float[] copy = image.clone();
            int distorted = 0;
            for (int s = 0; s < 10; s++) {
                ModelsGenesis.Pair p = ModelsGenesis.make(image, spatial, new Rng(s));
                assertTrue(whichFlip(p.target(), allFlips(image, spatial)) >= 0);
                assertArrayEquals(spatial, p.spatial());
                assertEquals(image.length, p.input().length);
                if (!Arrays.equals(p.input(), p.target())) distorted++;
            }
            assertArrayEquals(copy, image, 0f);
            assertTrue(distorted >= 8, "only " + distorted + " of 10 inputs distorted");
        }
    }

    @Test
    void sameSeedSameSampleAndSeedsDiffer() {
        for (int[] spatial : SHAPES) {
            float[] image = LocalPixelShuffleTest.distinctValues(Shapes.count(spatial), 6);
            ModelsGenesis.Pair a = ModelsGenesis.make(image, spatial, new Rng(9));
            ModelsGenesis.Pair b = ModelsGenesis.make(image, spatial, new Rng(9));
            ModelsGenesis.Pair c = ModelsGenesis.make(image, spatial, new Rng(10));
            assertArrayEquals(a.input(), b.input(), 0f);
            assertArrayEquals(a.target(), b.target(), 0f);
            assertFalse(Arrays.equals(a.input(), c.input()));
        }
    }

    @Test
    void smallImagesNeverFail() {
        for (int[] spatial : new int[][] {{16, 16}, {8, 8}, {3, 5}, {6, 6, 6}, {16, 16, 16}}) {
            float[] image = LocalPixelShuffleTest.distinctValues(Shapes.count(spatial), 7);
            ModelsGenesis.Settings always = new ModelsGenesis.Settings(1, 3, 1, 200, 1, 1, 0.5);
            for (int s = 0; s < 15; s++) ModelsGenesis.make(image, spatial, always, new Rng(s));
        }
    }

    @Test
    void rejectsBadSettingsAndShapes() {
        assertThrows(IllegalArgumentException.class, () -> new ModelsGenesis.Settings(1.5, 3, 0, 1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelsGenesis.Settings(0.4, 3, 0.5, -1, 0.9, 0.9, 0.2));
        assertThrows(IllegalArgumentException.class, () -> ModelsGenesis.make(new float[10], new int[] {4, 4}, new Rng(1)));
    }
}
