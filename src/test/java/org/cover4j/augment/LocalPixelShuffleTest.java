package org.cover4j.augment;

import org.cover4j.augment.AppearanceTransform.Block;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalPixelShuffleTest {
    static float[] distinctValues(int n, long seed) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        new Rng(seed).shuffle(order);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = x[order[i]] / n;
        return y;
    }

    /** Brute force: is flat index {@code at} inside the box? */
    static boolean inside(int[] spatial, Block b, int at) {
        for (int d = spatial.length - 1; d >= 0; d--) {
            int p = at % spatial[d];
            at /= spatial[d];
            if (p < b.origin()[d] || p >= b.origin()[d] + b.size()[d]) return false;
        }
        return true;
    }

    static float[] valuesInside(float[] x, int[] spatial, Block b) {
        float[] v = new float[x.length];
        int k = 0;
        for (int i = 0; i < x.length; i++) if (inside(spatial, b, i)) v[k++] = x[i];
        v = Arrays.copyOf(v, k);
        Arrays.sort(v);
        return v;
    }

    @Test
    void oneBlockIsAPermutationInsideAndChangesNothingOutside() {
        int moved = 0;
        for (int[] spatial : new int[][] {{40, 50}, {30, 40, 20}}) {
            int n = Shapes.count(spatial);
            for (int s = 0; s < 20; s++) {
                float[] original = distinctValues(n, s);
                float[] out = original.clone();
                List<Block> blocks = LocalPixelShuffle.shuffle(original, out, spatial, 1, new Rng(s));
                assertEquals(1, blocks.size());
                Block b = blocks.get(0);
                for (int d = 0; d < spatial.length; d++) {
                    assertTrue(b.size()[d] >= 1 && b.size()[d] <= spatial[d] / 10, "side " + Arrays.toString(b.size()));
                    assertTrue(b.origin()[d] >= 0 && b.origin()[d] + b.size()[d] <= spatial[d]);
                }
                for (int i = 0; i < n; i++) if (!inside(spatial, b, i)) assertEquals(original[i], out[i], 0f);
                assertArrayEquals(valuesInside(original, spatial, b), valuesInside(out, spatial, b), 0f);
                if (!Arrays.equals(original, out)) moved++;
            }
        }
        assertTrue(moved > 20, "only " + moved + " of 40 blocks moved anything");
    }

    @Test
    void blocksReadTheOriginalImageNotEarlierShuffles() {
        int[] spatial = {30, 30};
        for (int s = 0; s < 10; s++) {
            float[] original = distinctValues(900, s);
            float[] out = original.clone();
            List<Block> blocks = LocalPixelShuffle.shuffle(original, out, spatial, 500, new Rng(s));
            // sides are Python's randint(1, 30 // 10): both ends inclusive
            assertEquals(Set.of(1, 2, 3), blocks.stream().map(b -> b.size()[0]).collect(Collectors.toSet()));
            assertEquals(30, blocks.stream().mapToInt(b -> b.origin()[1] + b.size()[1]).max().getAsInt());
            // The last block is written last, so its box holds a permutation of what it read.
            Block last = blocks.get(blocks.size() - 1);
            assertArrayEquals(valuesInside(original, spatial, last), valuesInside(out, spatial, last), 0f);
            for (int i = 0; i < 900; i++) {
                final int at = i;
                if (blocks.stream().noneMatch(b -> inside(spatial, b, at))) assertEquals(original[i], out[i], 0f);
            }
        }
    }

    @Test
    void smallImagesUseSideOne() {
        int[] spatial = {16, 8, 5};
        float[] original = distinctValues(Shapes.count(spatial), 1);
        float[] out = original.clone();
        for (Block b : LocalPixelShuffle.shuffle(original, out, spatial, 100, new Rng(1))) {
            assertArrayEquals(new int[] {1, 1, 1}, b.size());
        }
        assertArrayEquals(original, out, 0f);   // 1-voxel blocks: nothing moves
    }
}
