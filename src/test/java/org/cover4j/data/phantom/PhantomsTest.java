package org.cover4j.data.phantom;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhantomsTest {
    @Test
    void sameSeedAndIndexGiveIdenticalArrays() {
        Phantom a = Phantoms.image2d(7, 3, 96), b = Phantoms.image2d(7, 3, 96);
        assertArrayEquals(a.image(), b.image());
        assertArrayEquals(a.labels(), b.labels());
        assertArrayEquals(new int[] {96, 96}, a.shape());
        Phantom c = Phantoms.volume3d(7, 3, 32), d = Phantoms.volume3d(7, 3, 32);
        assertArrayEquals(c.image(), d.image());
        assertArrayEquals(c.labels(), d.labels());
        assertArrayEquals(new int[] {32, 32, 32}, c.shape());
    }

    @Test
    void differentIndicesAndSeedsDiffer() {
        Phantom a = Phantoms.image2d(7, 3, 96);
        assertFalse(Arrays.equals(a.labels(), Phantoms.image2d(7, 4, 96).labels()));
        assertFalse(Arrays.equals(a.labels(), Phantoms.image2d(8, 3, 96).labels()));
        assertFalse(Arrays.equals(Phantoms.volume3d(7, 0, 32).labels(), Phantoms.volume3d(7, 1, 32).labels()));
    }

    @Test
    void everyLabelIsPresentAndIntensitiesAreInRange() {
        for (int i = 0; i < 30; i++) check(Phantoms.image2d(11, i, 128));
        for (int i = 0; i < 4; i++) check(Phantoms.volume3d(11, i, 48));
    }

    private static void check(Phantom p) {
        int[] count = new int[p.numClasses()];
        for (int l : p.labels()) count[l]++;
        for (int l = 0; l < p.numClasses(); l++) assertTrue(count[l] > 0, "label " + l + " missing");
        for (float v : p.image()) assertTrue(v >= 0 && v <= 1);
    }

    @Test
    void labelBoundariesAreSmooth() {
        for (int i = 0; i < 10; i++) {
            Phantom p = Phantoms.image2d(5, i, 128);
            int s = 128, boundary = 0, isolated = 0;
            int[] l = p.labels();
            for (int y = 1; y < s - 1; y++) {
                for (int x = 1; x < s - 1; x++) {
                    int v = l[y * s + x];
                    int same = 0;
                    for (int q : new int[] {(y - 1) * s + x, (y + 1) * s + x, y * s + x - 1, y * s + x + 1}) if (l[q] == v) same++;
                    if (same < 4) boundary++;
                    if (same <= 1) isolated++;   // a pixel poking out of its region: jagged, not smooth
                }
            }
            // Five smooth closed curves of total length ~ 2π(0.8 + 0.35 + 2·0.15 + 0.07)·64 ≈ 600 px of 16 000.
            assertTrue(boundary < 0.08 * s * s, "boundary pixels " + boundary);
            assertTrue(isolated <= 8, "isolated pixels " + isolated);
        }
    }

    @Test
    void structuresHaveDistinctIntensities() {
        for (int i = 0; i < 5; i++) {
            Phantom p = Phantoms.image2d(9, i, 128);
            double[] sum = new double[5], sq = new double[5];
            int[] n = new int[5];
            for (int q = 0; q < p.labels().length; q++) {
                int l = p.labels()[q];
                sum[l] += p.image()[q];
                sq[l] += p.image()[q] * p.image()[q];
                n[l]++;
            }
            double[] mean = new double[5];
            for (int l = 0; l < 5; l++) {
                mean[l] = sum[l] / n[l];
                double std = Math.sqrt(Math.max(0, sq[l] / n[l] - mean[l] * mean[l]));
                assertTrue(std < 0.1, "label " + l + " std " + std);
            }
            // background < body < organ < paired < lesion, each step clearly larger than the noise
            for (int l = 1; l < 5; l++) assertTrue(mean[l] - mean[l - 1] > 0.05, "means " + Arrays.toString(mean));
        }
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(CoverException.class, () -> Phantoms.image2d(1, 0, 8));
        assertThrows(CoverException.class, () -> Phantoms.volume3d(1, 0, 4096));
        assertThrows(CoverException.class, () -> Phantoms.image2d(1, -1, 64));
    }

    /** Writes a PNG of a 2D phantom, its labels and a 3D mid-slice when -Dcover4j.phantomPng=DIR is set. */
    @Test
    void optionalPicture() throws IOException {
        String dir = System.getProperty("cover4j.phantomPng");
        if (dir == null) return;
        Files.createDirectories(Path.of(dir));
        for (int i = 0; i < 4; i++) {
            Phantom p = Phantoms.image2d(1, i, 192);
            Phantom v = Phantoms.volume3d(1, i, 96);
            BufferedImage img = new BufferedImage(192 * 4, 192, BufferedImage.TYPE_INT_RGB);
            int[][] colours = {{0, 0, 0}, {90, 90, 200}, {200, 80, 60}, {60, 200, 90}, {250, 230, 40}};
            for (int y = 0; y < 192; y++) {
                for (int x = 0; x < 192; x++) {
                    int g = Math.round(p.image()[y * 192 + x] * 255);
                    img.setRGB(x, y, g << 16 | g << 8 | g);
                    int[] c = colours[p.labels()[y * 192 + x]];
                    img.setRGB(192 + x, y, c[0] << 16 | c[1] << 8 | c[2]);
                    int y3 = y / 2, x3 = x / 2;
                    int gz = Math.round(v.image()[(y3 * 96 + x3) * 96 + 48] * 255);   // axial (axis-2) mid-slice
                    img.setRGB(384 + x, y, gz << 16 | gz << 8 | gz);
                    int gc = Math.round(v.image()[(y3 * 96 + 48) * 96 + x3] * 255);   // axis-1 mid-slice
                    img.setRGB(576 + x, y, gc << 16 | gc << 8 | gc);
                }
            }
            ImageIO.write(img, "png", Path.of(dir, "phantom" + i + ".png").toFile());
        }
    }
}
