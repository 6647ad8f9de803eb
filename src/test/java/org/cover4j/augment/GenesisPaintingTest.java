package org.cover4j.augment;

import org.cover4j.augment.AppearanceTransform.Block;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.cover4j.augment.LocalPixelShuffleTest.inside;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenesisPaintingTest {
    private static final int[][] SHAPES = {{16, 16}, {20, 18, 16}};

    private static void assertInsideMargin(int[] spatial, Block b) {
        for (int d = 0; d < spatial.length; d++) {
            assertTrue(b.origin()[d] >= 3 && b.origin()[d] + b.size()[d] <= spatial[d] - 3,
                    "box at " + Arrays.toString(b.origin()) + " of " + Arrays.toString(b.size()) + " in " + Arrays.toString(spatial));
        }
    }

    @Test
    void inpaintingFillsUpToFiveBoxesInsideTheMarginWithNoise() {
        int several = 0;
        for (int[] spatial : SHAPES) {
            int n = Shapes.count(spatial);
            for (int s = 0; s < 30; s++) {
                float[] x = new float[n];
                Arrays.fill(x, -1f);
                List<Block> boxes = GenesisPainting.inpaint(x, spatial, new Rng(s));
                assertTrue(boxes.size() <= 5);
                if (boxes.size() > 1) several++;
                for (Block b : boxes) {
                    assertInsideMargin(spatial, b);
                    for (int d = 0; d < spatial.length; d++) {
                        assertTrue(b.size()[d] >= spatial[d] / 6 && b.size()[d] <= spatial[d] / 3);
                    }
                }
                for (int i = 0; i < n; i++) {
                    final int at = i;
                    boolean painted = boxes.stream().anyMatch(b -> inside(spatial, b, at));
                    if (painted) assertTrue(x[i] >= 0 && x[i] < 1);
                    else assertEquals(-1f, x[i], 0f);
                }
            }
        }
        assertTrue(several > 30, "several boxes in only " + several + " of 60 images");
    }

    @Test
    void outpaintingKeepsTheImageOnlyInsideItsBoxes() {
        for (int[] spatial : SHAPES) {
            int n = Shapes.count(spatial);
            for (int s = 0; s < 30; s++) {
                float[] original = new float[n];
                for (int i = 0; i < n; i++) original[i] = 2 + i;   // outside [0, 1): noise is told apart
                float[] x = original.clone();
                List<Block> boxes = GenesisPainting.outpaint(x, spatial, new Rng(s));
                assertTrue(boxes.size() >= 1 && boxes.size() <= 5);
                for (Block b : boxes) {
                    assertInsideMargin(spatial, b);
                    for (int d = 0; d < spatial.length; d++) {
                        int dim = spatial[d];
                        assertTrue(b.size()[d] >= dim - 4 * dim / 7 && b.size()[d] <= dim - 3 * dim / 7);
                    }
                }
                for (int i = 0; i < n; i++) {
                    final int at = i;
                    boolean revealed = boxes.stream().anyMatch(b -> inside(spatial, b, at));
                    if (revealed) assertEquals(original[i], x[i], 0f);
                    else assertTrue(x[i] >= 0 && x[i] < 1);
                }
            }
        }
    }

    private static void assertFits(int[] spatial, Block b) {
        for (int d = 0; d < spatial.length; d++) {
            assertTrue(b.origin()[d] >= 0 && b.size()[d] >= 0 && b.origin()[d] + b.size()[d] <= spatial[d]);
        }
    }

    @Test
    void tinyImagesShrinkTheMarginInsteadOfFailing() {
        for (int[] spatial : new int[][] {{5, 5}, {8, 12}, {1, 6, 4}}) {
            for (int s = 0; s < 50; s++) {
                float[] x = new float[Shapes.count(spatial)];
                for (Block b : GenesisPainting.inpaint(x, spatial, new Rng(s))) assertFits(spatial, b);
                for (Block b : GenesisPainting.outpaint(x, spatial, new Rng(s))) assertFits(spatial, b);
            }
        }
    }
}
