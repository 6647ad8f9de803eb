package org.cover4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlaysTest {
    private static final int ROWS = 6;
    private static final int COLS = 8;
    private static final int RED = 0xE6194B; // Palette.labelRgb(1)

    /** Values 0..47 row by row, so the grey of pixel (r, c) is round(255 * (r*8 + c) / 47). */
    private static float[] ramp() {
        float[] img = new float[ROWS * COLS];
        for (int i = 0; i < img.length; i++) img[i] = i;
        return img;
    }

    /** Label 1 on rows 1..3, columns 2..5. */
    private static int[] square() {
        int[] m = new int[ROWS * COLS];
        for (int r = 1; r < 4; r++) for (int c = 2; c < 6; c++) m[r * COLS + c] = 1;
        return m;
    }

    private static int grey(int r, int c) {
        int g = Math.round(255f * (r * COLS + c) / 47f);
        return (g << 16) | (g << 8) | g;
    }

    private static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    @Test
    void contourHasThePaletteColourAndInteriorKeepsTheGrey() {
        BufferedImage img = Overlays.overlay(ramp(), new int[] {ROWS, COLS}, square(), null, 4);
        assertEquals(COLS * 4, img.getWidth());
        assertEquals(ROWS * 4, img.getHeight());
        assertEquals(RED, Palette.labelRgb(1));
        // Source pixel (1, 2) is the region's top-left corner: its top row and left column are contour.
        assertEquals(RED, rgb(img, 2 * 4 + 2, 1 * 4));
        assertEquals(RED, rgb(img, 2 * 4, 1 * 4 + 2));
        // (2, 3) has all eight neighbours inside: untouched grey, every enlarged pixel of it.
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) assertEquals(grey(2, 3), rgb(img, 3 * 4 + x, 2 * 4 + y));
        // The contour is one enlarged pixel thick: just below the top band of (1, 3) the grey shows.
        assertEquals(grey(1, 3), rgb(img, 3 * 4 + 1, 1 * 4 + 1));
        // Outside the region nothing is drawn.
        assertEquals(grey(0, 3), rgb(img, 3 * 4 + 1, 3));
        assertEquals(grey(0, 0), rgb(img, 0, 0));
    }

    @Test
    void referenceIsDashedOutsideItsRegion() {
        BufferedImage img = Overlays.overlay(ramp(), new int[] {ROWS, COLS}, square(), square(), 4);
        // The reference band lies in the row above the region (source row 0, enlarged row 3), dashed in the
        // class colour: 2 of every 3 runs of 4 pixels drawn.
        int dashes = 0;
        int gaps = 0;
        for (int x = 2 * 4; x < 6 * 4; x++) {
            int v = rgb(img, x, 3);
            if (v == RED) dashes++;
            else if (v == grey(0, x / 4)) gaps++;
        }
        assertTrue(dashes >= 4 && gaps >= 4, "dashes " + dashes + ", gaps " + gaps);
        assertEquals(dashes + gaps, 16);
        // The prediction's solid band just inside is unchanged.
        for (int x = 2 * 4; x < 6 * 4; x++) assertEquals(RED, rgb(img, x, 4));
    }

    @Test
    void volumeShowsThreeMiddleSlices(@TempDir Path dir) {
        int[] shape = {4, 6, 8};
        float[] vol = new float[4 * 6 * 8];
        for (int i = 0; i < vol.length; i++) vol[i] = i;
        // Middle slice along axis 1 (index 3): rows = axis 0, columns = axis 2.
        float[] s1 = Overlays.middleSlice(vol, shape, 1);
        assertEquals(32, s1.length);
        assertEquals((2 * 6 + 3) * 8 + 5, s1[2 * 8 + 5]);
        float[] s2 = Overlays.middleSlice(vol, shape, 2);
        assertEquals((1 * 6 + 5) * 8 + 4, s2[1 * 6 + 5]);
        Path png = dir.resolve("fig/overlay.png");
        Overlays.write(png, vol, shape, new int[vol.length], null, 3);
        BufferedImage img = Figures.readPng(png);
        assertEquals((8 + 8 + 6) * 3 + 2 * 8, img.getWidth());
        assertEquals(6 * 3, img.getHeight());
        // Whole-volume grey window: the last pixel of the axis-0 slice is voxel (2, 5, 7) = (2*6 + 5)*8 + 7 = 143,
        // of a range 0..191.
        int g = Math.round(255f * 143 / 191f);
        assertArrayEquals(new int[] {g, g, g}, img.getRaster().getPixel(8 * 3 - 1, 6 * 3 - 1, (int[]) null));
    }

    @Test
    void refusesMismatchedSizes() {
        assertThrows(CoverException.class, () -> Overlays.overlay(new float[10], new int[] {2, 4}, null, null, 2));
        assertThrows(CoverException.class, () -> Overlays.overlay(new float[8], new int[] {2, 4}, new int[7], null, 2));
        assertThrows(CoverException.class, () -> Overlays.overlay(new float[8], new int[] {2, 4}, null, null, 0));
    }
}
