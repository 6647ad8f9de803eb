package org.cover4j.augment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class FlipsTest {
    @Test
    void flipsTheRequestedAxisOfEveryChannel() {
        // two channels of 2×3: rows [0 1 2] [3 4 5], then +10
        float[] x = {0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15};
        assertArrayEquals(new float[] {3, 4, 5, 0, 1, 2, 13, 14, 15, 10, 11, 12}, Flips.flip(x, 2, new int[] {2, 3}, 0), 0f);
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 12, 11, 10, 15, 14, 13}, Flips.flip(x, 2, new int[] {2, 3}, 1), 0f);
        // 1×2×2×2 volume, z flip swaps neighbours
        float[] v = {0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new float[] {1, 0, 3, 2, 5, 4, 7, 6}, Flips.flip(v, 1, new int[] {2, 2, 2}, 2), 0f);
        assertArrayEquals(new float[] {2, 3, 0, 1, 6, 7, 4, 5}, Flips.flip(v, 1, new int[] {2, 2, 2}, 1), 0f);
    }
}
