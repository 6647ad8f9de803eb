package org.cover4j.downstream;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatchSamplerTest {
    /** A 2D case whose image value encodes the position (row*100 + col) and one labelled pixel. */
    static Case positional(int rows, int cols, int fgRow, int fgCol) {
        float[] img = new float[rows * cols];
        int[] lab = new int[rows * cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) img[r * cols + c] = r * 100 + c + 1;
        lab[fgRow * cols + fgCol] = 3;
        return new Case("p", null, img, new int[] {rows, cols}, new double[] {1, 1}, lab, -1);
    }

    @Test
    void foregroundPatchesAreCentredOnTheForegroundAndCopyTheRightVoxels() {
        Case c = positional(40, 50, 20, 30);
        PatchSampler s = new PatchSampler(List.of(c), new int[] {16, 16}, 1.0);
        PatchSampler.Batch b = s.sample(3, new Rng(5));
        for (int i = 0; i < 3; i++) {
            // centred: start = coord - 8, so the labelled voxel sits at (8, 8) of the patch
            assertEquals(3, b.labels()[i * 256 + 8 * 16 + 8]);
            // image value at patch (r, c) is the source voxel (12 + r, 22 + c)
            for (int r = 0; r < 16; r++) {
                for (int col = 0; col < 16; col++) {
                    assertEquals((12 + r) * 100 + (22 + col) + 1, b.images()[i * 256 + r * 16 + col], 0f);
                }
            }
        }
    }

    @Test
    void patchesNearTheBorderStayInsideAndSmallImagesArePaddedCentred() {
        Case edge = positional(40, 50, 0, 49);
        PatchSampler.Batch b = new PatchSampler(List.of(edge), new int[] {16, 16}, 1.0).sample(1, new Rng(1));
        // clamped to start (0, 34): the labelled voxel (0, 49) is at patch (0, 15)
        assertEquals(3, b.labels()[15]);
        assertEquals(0 * 100 + 34 + 1, b.images()[0], 0f);

        Case small = positional(10, 12, 4, 5);
        b = new PatchSampler(List.of(small), new int[] {16, 16}, 0.0).sample(1, new Rng(2));
        // centred: 3 rows of zeros before (16-10)/2, 2 columns before (16-12)/2
        assertEquals(0f, b.images()[2 * 16 + 5], 0f);
        assertEquals(1f, b.images()[3 * 16 + 2], 0f);
        assertEquals(3, b.labels()[(3 + 4) * 16 + 2 + 5]);
        float sum = 0;
        for (int i = 0; i < 256; i++) if (b.images()[i] != 0) sum++;
        assertEquals(120, sum, "every voxel of the 10x12 image appears once");
    }

    @Test
    void uniformPatchesCoverTheImageAndTheSameGeneratorGivesTheSameBatch() {
        Case c = positional(20, 20, 10, 10);
        PatchSampler s = new PatchSampler(List.of(c), new int[] {16, 16}, 0.0);
        boolean[] starts = new boolean[5];
        for (int t = 0; t < 200; t++) {
            PatchSampler.Batch b = s.sample(1, new Rng(9).derive(t));
            int r0 = (int) (b.images()[0] - 1) / 100;
            assertTrue(r0 >= 0 && r0 <= 4);
            starts[r0] = true;
        }
        for (boolean st : starts) assertTrue(st, "every start row 0..4 is drawn");
        assertArrayEquals(s.sample(4, new Rng(3)).images(), s.sample(4, new Rng(3)).images());
    }

    @Test
    void threeDimensionalPatches() {
        int n = 20;
        float[] img = new float[n * n * n];
        int[] lab = new int[n * n * n];
        for (int i = 0; i < img.length; i++) img[i] = i;
        lab[(5 * n + 6) * n + 7] = 1;
        Case c = new Case("v", null, img, new int[] {n, n, n}, new double[] {1, 1, 1}, lab, -1);
        PatchSampler.Batch b = new PatchSampler(List.of(c), new int[] {16, 16, 16}, 1.0).sample(1, new Rng(0));
        // start clamped to (0, 0, 0) on every axis (coord - 8 < 0)
        assertEquals(1, b.labels()[(5 * 16 + 6) * 16 + 7]);
        assertEquals((3 * n + 4) * n + 5, b.images()[(3 * 16 + 4) * 16 + 5], 0f);
    }
}
