package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Data sets that really read files (PNG written with javax.imageio, NIfTI written byte by byte). */
class LoadingTest {
    @TempDir
    Path dir;

    private static int[][] grid(int rows, int cols, int mod) {
        int[][] v = new int[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) v[r][c] = (r * cols + c) % mod;
        return v;
    }

    private static double[][] diag(double x, double y, double z, double tx) {
        return new double[][] {{x, 0, 0, tx}, {0, y, 0, 0}, {0, 0, z, 0}, {0, 0, 0, 1}};
    }

    @Test
    void pngPairLoadsOnOneGrid() throws IOException {
        TestFiles.png(dir.resolve("img/a.png"), grid(3, 4, 256), false);
        TestFiles.png(dir.resolve("lab/a.png"), grid(3, 4, 3), false);
        TestFiles.assumeReaderAvailable(dir.resolve("img/a.png"));
        Sample s = PairedFolder.open(dir.resolve("img"), dir.resolve("lab")).get(0);
        assertEquals("a", s.id());
        assertArrayEquals(new int[] {3, 4}, s.image().shape());
        assertEquals(7f, s.image().data()[1 * 4 + 3]); // row 1, column 3
        assertEquals(1f, s.label().data()[1 * 4 + 3]); // 7 % 3
    }

    @Test
    void rgbMaskBecomesOneChannel() throws IOException {
        TestFiles.png(dir.resolve("img/a.png"), grid(2, 2, 256), false);
        TestFiles.png(dir.resolve("lab/a.png"), new int[][] {{0, 255}, {255, 0}}, true);
        TestFiles.assumeReaderAvailable(dir.resolve("img/a.png"));
        Sample s = PairedFolder.open(dir.resolve("img"), dir.resolve("lab")).get(0);
        assertEquals(1, s.label().channels());
        assertArrayEquals(new float[] {0, 255, 255, 0}, s.label().data());
    }

    @Test
    void shapeMismatchNamesBothFiles() throws IOException {
        TestFiles.png(dir.resolve("img/a.png"), grid(3, 4, 256), false);
        TestFiles.png(dir.resolve("lab/a.png"), grid(3, 5, 3), false);
        TestFiles.assumeReaderAvailable(dir.resolve("img/a.png"));
        FileDataset ds = PairedFolder.open(dir.resolve("img"), dir.resolve("lab"));
        CoverException e = assertThrows(CoverException.class, () -> ds.get(0));
        assertTrue(e.getMessage().startsWith(dir.resolve("lab/a.png").toString())
                && e.getMessage().contains("[3, 5]") && e.getMessage().contains("a.png shape [3, 4]"), e.getMessage());
    }

    @Test
    void niftiGeometryMismatchIsRefused() throws IOException {
        float[] d = new float[2 * 3 * 4];
        TestFiles.nifti(dir.resolve("img/c.nii"), d, new int[] {2, 3, 4}, diag(1, 1, 2, 0));
        TestFiles.nifti(dir.resolve("lab/c.nii"), d, new int[] {2, 3, 4}, diag(1, 1, 2, 2));
        TestFiles.assumeReaderAvailable(dir.resolve("img/c.nii"));
        CoverException e = assertThrows(CoverException.class,
                () -> PairedFolder.open(dir.resolve("img"), dir.resolve("lab")).get(0));
        assertTrue(e.getMessage().contains("label geometry") && e.getMessage().contains("c.nii"), e.getMessage());
    }

    @Test
    void scrPresetPreparesSamples() throws IOException {
        for (int i = 0; i < 5; i++) {
            TestFiles.png(dir.resolve("images/JPCLN00" + i + ".png"), grid(8, 8, 256), false);
            TestFiles.png(dir.resolve("labels/JPCLN00" + i + ".png"), grid(8, 8, 4), false);
        }
        TestFiles.assumeReaderAvailable(dir.resolve("images/JPCLN000.png"));
        PresetData data = Presets.get("SCR").open(dir);
        Sample s = data.test().get(0);
        assertArrayEquals(new int[] {512, 512}, s.image().shape());
        for (float v : s.image().data()) assertTrue(v >= 0 && v <= 63 / 255f + 1e-6, "value " + v);
        for (float v : s.label().data()) assertTrue(v == 0 || v == 1 || v == 2 || v == 3, "label " + v);
    }

    @Test
    void kipa2dSlicesLabelledAxialSlices() throws IOException {
        int[] shape = {4, 4, 3};
        for (int c = 0; c < 3; c++) {
            float[] img = new float[48];
            float[] lab = new float[48];
            for (int v = 0; v < 48; v++) {
                img[v] = -1000 + 100 * v;
                lab[v] = v % 3 == 1 ? 2 : 0; // only slice k = 1 is labelled
            }
            TestFiles.nifti(dir.resolve("train/image/case" + c + ".nii"), img, shape, diag(-1, 1, 1, 0));
            TestFiles.nifti(dir.resolve("train/label/case" + c + ".nii"), lab, shape, diag(-1, 1, 1, 0));
        }
        TestFiles.assumeReaderAvailable(dir.resolve("train/image/case0.nii"));
        Preset p = new Preset("kipa-nii", 2, Preset.Task.SEGMENTATION, "CT", "test copy of KiPA22-2D for .nii files",
                Layout.paired("**/image/*.nii", "**/label/*.nii"), Presets.get("KiPA22-2D").preprocess(), 5,
                java.util.List.of(), 0.1, 0.2, 1, 2, "test");
        PresetData data = p.open(dir);
        // 3 volumes: test round(0.6) = 1, val round(0.3) = 0, train 2; one labelled slice each
        assertEquals(2, data.train().size());
        Sample s = data.train().get(0);
        assertTrue(s.id().endsWith("_ax2_001"), s.id());
        assertArrayEquals(new int[] {256, 256}, s.image().shape());
        float max = 0;
        for (float v : s.label().data()) max = Math.max(max, v);
        assertEquals(2f, max);
    }
}
