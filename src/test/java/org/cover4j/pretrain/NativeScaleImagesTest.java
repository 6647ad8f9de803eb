package org.cover4j.pretrain;

import org.cover4j.io.Image;
import org.cover4j.io.MedicalImages;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pretrain --resize none}: images keep their pixel spacing, centre-cropped / zero-padded to the loader size. */
class NativeScaleImagesTest {
    @Test
    void nativeScaleCentreCropsAndPadsInsteadOfResizing(@TempDir Path tmp) {
        // A 20 x 30 8-bit image whose value encodes its position; loader size 24: rows padded (2 before, 2 after), columns cut (3, 3).
        int h = 20, w = 30, l = 24;
        float[] v = new float[h * w];
        for (int r = 0; r < h; r++) for (int c = 0; c < w; c++) v[r * w + c] = 1 + (r * w + c) % 250;
        Path png = tmp.resolve("img.png");
        MedicalImages.write(png, new Image(v, 1, new int[] {h, w}, new double[] {1, 1}, null, "memory", "uint8"));
        float[] got = PretrainImages.prepare(png, 2, 16, l, true);
        assertEquals(l * l, got.length);
        for (int r = 0; r < l; r++) {
            for (int c = 0; c < l; c++) {
                int ir = r - 2, ic = c + 3;
                float want = ir < 0 || ir >= h ? 0f : v[ir * w + ic] / 255f;
                assertEquals(want, got[r * l + c], 1e-6f, "(" + r + ", " + c + ")");
            }
        }
        // The reference's resizing gives another image (a check that the option changes something).
        float[] resized = PretrainImages.prepare(png, 2, 16, l, false);
        assertNotEquals(got[5 * l + 5], resized[5 * l + 5]);
    }

    @Test
    void nativeScaleNeedsImagesAndAKnownMode() {
        CoverException e = assertThrows(CoverException.class, () -> PretrainSettings.builder().resize("none").build());
        assertTrue(e.getMessage().startsWith("--resize none applies to --data images"), e.getMessage());
        e = assertThrows(CoverException.class, () -> PretrainSettings.builder().data("x").resize("crop").build());
        assertEquals("--resize must be square or none, got crop", e.getMessage());
        assertTrue(PretrainSettings.builder().data("x").resize("none").build().nativeScale());
        assertEquals("square", PretrainSettings.builder().build().resize());
    }
}
