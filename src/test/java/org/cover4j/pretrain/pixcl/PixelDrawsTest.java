package org.cover4j.pretrain.pixcl;

import org.cover4j.augment.ViewPair;
import org.cover4j.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pixels each level's loss looks at: fully corresponding blocks, distinct draws, reproducible from the seed. */
class PixelDrawsTest {
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void drawsAreDistinctFullyCorrespondingPixelsOfTheirLevel(int dims) {
        int side = 16;
        int[] spatial = new int[dims];
        Arrays.fill(spatial, side);
        int n = (int) Math.pow(side, dims);
        // A slanted edge (axis 0 + axis 1 / 2 < 13) and one hole: coarser levels lose the blocks the edge and the hole
        // cut; in 2D level 3 keeps one pixel, with nothing to contrast it with, and level 4 none.
        float[] mask = new float[n];
        int axis1 = (int) Math.pow(side, dims - 2);
        for (int q = 0; q < n; q++) {
            int c0 = q / (axis1 * side);
            int c1 = q / axis1 % side;
            mask[q] = c0 + c1 / 2 < 13 ? 1 : 0;
        }
        mask[9 * axis1 * side + 2 * axis1] = 0;
        ViewPair pair = new ViewPair(spatial, 1, new float[n], new float[n], new float[dims * n], mask);
        int count = 20;
        PixclSample sample = PixelDraws.draw(pair, 5, count, new Rng(42));
        boolean someLevelIsPartial = false;
        for (int level = 0; level < 5; level++) {
            Set<Integer> valid = fullBlocks(mask, side, dims, 1 << level);
            someLevelIsPartial |= valid.size() > 1 && valid.size() < Math.pow(side >> level, dims);
            int expected = valid.size() >= 2 ? Math.min(count, valid.size()) : 0;
            for (int[] draws : new int[][] {sample.anchors()[level], sample.negatives()[level]}) {
                assertEquals(expected, draws.length, "level " + level + ": min(count, " + valid.size() + " valid)");
                Set<Integer> seen = new HashSet<>();
                for (int pixel : draws) {
                    assertTrue(valid.contains(pixel), "level " + level + " pixel " + pixel + " has a block outside the mask");
                    assertTrue(seen.add(pixel), "level " + level + " pixel " + pixel + " drawn twice");
                }
            }
        }
        assertTrue(someLevelIsPartial, "the mask makes some level's choice matter");

        PixclSample again = PixelDraws.draw(pair, 5, count, new Rng(42));
        PixclSample other = PixelDraws.draw(pair, 5, count, new Rng(43));
        assertArrayEquals(sample.anchors(), again.anchors(), "same generator, same anchors");
        assertArrayEquals(sample.negatives(), again.negatives(), "same generator, same negatives");
        assertFalse(Arrays.equals(sample.anchors()[0], other.anchors()[0]), "another generator, other anchors");
    }

    /** Coarse pixels (C-order on the grid {@code side/factor}) whose whole {@code factor}-block is 1 in {@code mask}. */
    private static Set<Integer> fullBlocks(float[] mask, int side, int dims, int factor) {
        int coarse = side / factor;
        int[] missing = new int[(int) Math.pow(coarse, dims)];
        for (int q = 0; q < mask.length; q++) {
            int index = 0;
            for (int d = 0, rest = q, scale = 1; d < dims; d++) {
                int coordinate = rest % side;   // axis dims-1-d, from the last axis
                rest /= side;
                index += (coordinate / factor) * scale;
                scale *= coarse;
            }
            if (mask[q] != 1) missing[index]++;
        }
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < missing.length; i++) if (missing[i] == 0) out.add(i);
        return out;
    }
}
