package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ImageOpsTest {

    static Image image(float[] data, int channels, int[] shape, double[] spacing, double[][] affine) {
        return new Image(data, channels, shape, spacing, affine, "memory", "float32");
    }

    static double[] world(double[][] a, double... idx) {
        double[] w = new double[3];
        for (int r = 0; r < 3; r++) {
            w[r] = a[r][3];
            for (int c = 0; c < Math.min(3, idx.length); c++) w[r] += a[r][c] * idx[c];
        }
        return w;
    }

    static float[] random(Rng rng, int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) rng.uniform(-5, 5);
        return d;
    }

    @Test
    void resizeLinearUsesHalfPixelCentres() {
        // (j + 0.5) * 2/4 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped 0, 0.25, 0.75, 1 (OpenCV INTER_LINEAR rule)
        Image img = Image.of(new float[] {0, 10}, 1, 2);
        Image out = ImageOps.resize(img, new int[] {1, 4}, Interpolation.LINEAR);
        assertArrayEquals(new float[] {0, 2.5f, 7.5f, 10}, out.data(), 1e-6f);
        assertArrayEquals(new double[] {1, 0.5}, out.spacing(), 1e-12);
        // outer edge stays: old left edge -0.5, new voxel 0 centre at -0.25, half a new voxel (0.25) further left
        assertEquals(-0.25, out.affine()[1][3], 1e-12);
        assertEquals(0.5, out.affine()[1][1], 1e-12);
    }

    @Test
    void resizeNearestPicksFloorOfScaledCentre() {
        // floor((j + 0.5) * 3/5): j=0..4 -> 0,0,1,2,2
        Image lab = Image.of(new float[] {1, 2, 3}, 1, 3);
        Image out = ImageOps.resize(lab, new int[] {1, 5}, Interpolation.NEAREST);
        assertArrayEquals(new float[] {1, 1, 2, 3, 3}, out.data());
    }

    @Test
    void resizeTreatsChannelsIndependently() {
        float[] d = {0, 4, 8, 12, /* channel 1 = 2x channel 0 */ 0, 8, 16, 24};
        Image img = image(d, 2, new int[] {2, 2}, new double[] {1, 1}, null);
        Image out = ImageOps.resize(img, new int[] {3, 3}, Interpolation.LINEAR);
        assertEquals(2, out.channels());
        for (int v = 0; v < 9; v++) assertEquals(2 * out.data()[v], out.data()[9 + v], 1e-5f);
    }

    @Test
    void resampleToSpacingHandComputed() {
        // 5 voxels at 1 mm -> 0.5 mm: rint(4 / 0.5 + 1) = 9 voxels at old positions j * 0.5
        Image img = Image.of(new float[] {0, 1, 2, 3, 4}, 1, 5);
        Image out = ImageOps.resampleToSpacing(img, new double[] {1, 0.5}, Interpolation.LINEAR);
        assertArrayEquals(new int[] {1, 9}, out.shape());
        for (int j = 0; j < 9; j++) assertEquals(j * 0.5f, out.data()[j], 1e-6f);
        assertEquals(0.0, out.affine()[1][3], 0.0); // centre of voxel 0 keeps its place (MONAI Spacing)
        assertEquals(0.5, out.affine()[1][1], 1e-12);
    }

    @Test
    void resampleShapeRoundsHalfToEvenLikeMonai() {
        // extent + 1 = (n - 1) * 1/2 + 1: n=6 -> 3.5 -> 4; n=4 -> 2.5 -> 2 (numpy round)
        Image six = Image.of(new float[6], 1, 6);
        Image four = Image.of(new float[4], 1, 4);
        assertEquals(4, ImageOps.resampleToSpacing(six, new double[] {1, 2}, Interpolation.LINEAR).dim(1));
        assertEquals(2, ImageOps.resampleToSpacing(four, new double[] {1, 2}, Interpolation.LINEAR).dim(1));
    }

    @Test
    void resampleUpThenDownIsTheIdentity3d() {
        Rng rng = new Rng(3);
        double[][] aff = {{0.9, 0.1, 0, -40}, {-0.1, 0.9, 0, 12}, {0, 0, 2.5, 7}, {0, 0, 0, 1}};
        Image img = image(random(rng, 2 * 4 * 5 * 3), 2, new int[] {4, 5, 3}, new double[] {0.9, 0.9, 2.5}, aff);
        Image up = ImageOps.resampleToSpacing(img, new double[] {0.45, 0.3, 1.25}, Interpolation.LINEAR);
        assertArrayEquals(new int[] {7, 13, 5}, up.shape());
        Image back = ImageOps.resampleToSpacing(up, new double[] {0.9, 0.9, 2.5}, Interpolation.LINEAR);
        assertArrayEquals(img.shape(), back.shape());
        assertArrayEquals(img.data(), back.data(), 1e-5f);
        for (int r = 0; r < 4; r++) assertArrayEquals(aff[r], back.affine()[r], 1e-12);
    }

    @Test
    void resampleKeepsWorldPositionOfVoxelCentres() {
        double[][] aff = {{0, 0, -2, 30}, {1.5, 0, 0, -4}, {0, 3, 0, 9}, {0, 0, 0, 1}};
        Image img = image(new float[3 * 4 * 5], 1, new int[] {3, 4, 5}, new double[] {1.5, 3, 2}, aff);
        Image out = ImageOps.resampleToSpacing(img, new double[] {1, 1, 1}, Interpolation.LINEAR);
        // new voxel j sits where old index j * new/old sits
        double[] j = {2, 3, 4};
        double[] old = {2 * 1 / 1.5, 3 * 1 / 3.0, 4 * 1 / 2.0};
        assertArrayEquals(world(aff, old), world(out.affine(), j), 1e-9);
        assertArrayEquals(new double[] {1, 1, 1}, out.spacing(), 0);
    }

    @Test
    void nearestResamplingKeepsLabelValues() {
        Rng rng = new Rng(5);
        float[] d = new float[6 * 7];
        for (int i = 0; i < d.length; i++) d[i] = rng.randint(0, 4);
        Image lab = image(d, 1, new int[] {6, 7}, new double[] {1, 1}, null);
        Image out = ImageOps.resampleToSpacing(lab, new double[] {0.7, 1.3}, Interpolation.NEAREST);
        for (float v : out.data()) assertTrue(v == 0 || v == 1 || v == 2 || v == 3, "label value " + v);
    }

    @Test
    void reorientFlipsLpsToRasLikeNibabel() {
        // nibabel: as_closest_canonical of diag(-1,-1,1) with t=(10,20,-5), shape (3,4,5) flips axes 0 and 1;
        // new affine = A @ inv_ornt_aff -> diag(1,1,1), t = (10 - 2, 20 - 3, -5) (hand computed)
        double[][] aff = {{-1, 0, 0, 10}, {0, -1, 0, 20}, {0, 0, 1, -5}, {0, 0, 0, 1}};
        float[] d = new float[3 * 4 * 5];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Image img = image(d, 1, new int[] {3, 4, 5}, new double[] {1, 1, 1}, aff);
        assertEquals("LPS", org.cover4j.io.Affines.axcodes(aff));
        Image ras = ImageOps.reorientToRas(img);
        double[][] expected = {{1, 0, 0, 8}, {0, 1, 0, 17}, {0, 0, 1, -5}, {0, 0, 0, 1}};
        for (int r = 0; r < 4; r++) assertArrayEquals(expected[r], ras.affine()[r], 1e-12);
        assertArrayEquals(new int[] {3, 4, 5}, ras.shape());
        // new[i,j,k] = old[2-i, 3-j, k]
        assertEquals(d[((2 - 1) * 4 + (3 - 2)) * 5 + 4], ras.data()[(1 * 4 + 2) * 5 + 4]);
        assertEquals("RAS", org.cover4j.io.Affines.axcodes(ras.affine()));
    }

    @Test
    void reorientPermutesAndFlipsExactly() {
        // voxel axes point to S (+1.5), R (+3), P (-2): codes SRP. Canonical (hand computed, nibabel rule):
        // new axes = (old1, old2 flipped, old0); affine columns (3,0,0), (0,2,0), (0,0,1.5);
        // translation t + A[:,2] * (6 - 1) = (1, 2 - 10, 3).
        double[][] aff = {{0, 3, 0, 1}, {0, 0, -2, 2}, {1.5, 0, 0, 3}, {0, 0, 0, 1}};
        float[] d = new float[4 * 5 * 6];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Image img = image(d, 1, new int[] {4, 5, 6}, new double[] {1.5, 3, 2}, aff);
        assertEquals("SRP", org.cover4j.io.Affines.axcodes(aff));
        Image ras = ImageOps.reorientToRas(img);
        double[][] expected = {{3, 0, 0, 1}, {0, 2, 0, -8}, {0, 0, 1.5, 3}, {0, 0, 0, 1}};
        for (int r = 0; r < 4; r++) assertArrayEquals(expected[r], ras.affine()[r], 1e-12);
        assertArrayEquals(new int[] {5, 6, 4}, ras.shape());
        assertArrayEquals(new double[] {3, 2, 1.5}, ras.spacing(), 0);
        // new[a,b,c] = old[c, a, 5-b]
        int a = 3, b = 1, c = 2;
        assertEquals(d[(c * 5 + a) * 6 + (5 - b)], ras.data()[(a * 6 + b) * 4 + c]);
    }

    @Test
    void reorientKeepsEveryVoxelAtItsWorldPosition() {
        // an oblique (10 degree) LIP-like affine; every voxel value must sit at the same world point afterwards
        double c = Math.cos(Math.toRadians(10)), s = Math.sin(Math.toRadians(10));
        double[][] aff = {{-c, 0, s, 5}, {0, 0, -1.2, 6}, {-s * 0.8, -0.8, 0, 7}, {0, 0, 0, 1}};
        int[] shape = {3, 4, 2};
        float[] d = new float[24];
        for (int i = 0; i < d.length; i++) d[i] = i;
        Image img = image(d, 1, shape, new double[] {1, 0.8, 1.2}, aff);
        Image ras = ImageOps.reorientToRas(img);
        assertEquals("RAS", org.cover4j.io.Affines.axcodes(ras.affine()));
        int[] ns = ras.shape();
        for (int i = 0; i < ns[0]; i++) for (int j = 0; j < ns[1]; j++) for (int k = 0; k < ns[2]; k++) {
            int v = (int) ras.data()[(i * ns[1] + j) * ns[2] + k];
            int oi = v / 8, oj = (v / 2) % 4, ok = v % 2;
            assertArrayEquals(world(aff, oi, oj, ok), world(ras.affine(), i, j, k), 1e-9);
        }
    }

    @Test
    void reorientLeavesRasAnd2dImagesAlone() {
        Image ras = image(new float[8], 1, new int[] {2, 2, 2}, new double[] {1, 1, 1}, null);
        assertSame(ras, ImageOps.reorientToRas(ras));
        Image pic = Image.of(new float[4], 2, 2);
        assertSame(pic, ImageOps.reorientToRas(pic));
    }

    @Test
    void centreCropAndPad() {
        Image img = Image.of(new float[] {1, 2, 3, 4, 5}, 1, 5);
        assertArrayEquals(new float[] {2, 3}, ImageOps.cropOrPad(img, new int[] {1, 2}, 0).data());
        Image padded = ImageOps.cropOrPad(img, new int[] {1, 8}, -1);
        assertArrayEquals(new float[] {-1, 1, 2, 3, 4, 5, -1, -1}, padded.data());
        assertEquals(-1.0, padded.affine()[1][3], 0); // new voxel 0 is old voxel -1
    }

    @Test
    void cropAtOffsetWithOverhang() {
        // 3x3 values 1..9; box of 2x3 starting at (-1, 1): row -1 padded, then row 0 cols 1,2 + pad
        Image img = Image.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        Image out = ImageOps.cropOrPad(img, new int[] {-1, 1}, new int[] {2, 3}, 0);
        assertArrayEquals(new float[] {0, 0, 0, 2, 3, 0}, out.data());
        assertArrayEquals(world(img.affine(), -1, 1), world(out.affine(), 0, 0), 1e-12);
    }

    @Test
    void cropThenPadBackRestoresTheInsideAndAffine() {
        Rng rng = new Rng(9);
        Image img = image(random(rng, 2 * 6 * 5 * 4), 2, new int[] {6, 5, 4}, new double[] {1, 2, 3},
                new double[][] {{1, 0, 0, 3}, {0, 2, 0, 4}, {0, 0, 3, 5}, {0, 0, 0, 1}});
        Image small = ImageOps.cropOrPad(img, new int[] {1, 2, 0}, new int[] {4, 2, 4}, 0);
        Image back = ImageOps.cropOrPad(small, new int[] {-1, -2, 0}, new int[] {6, 5, 4}, 0);
        for (int r = 0; r < 4; r++) assertArrayEquals(img.affine()[r], back.affine()[r], 1e-12);
        int[] idx = {2, 3, 1};
        int v = (idx[0] * 5 + idx[1]) * 4 + idx[2];
        assertEquals(img.data()[120 + v], back.data()[120 + v]);
        assertEquals(0f, back.data()[0]); // (0,0,0) was cut away
    }

    @Test
    void sliceKeepsValuesAndWorldPosition() {
        float[] d = new float[2 * 3 * 4];
        for (int i = 0; i < d.length; i++) d[i] = i;
        double[][] aff = {{2, 0, 0, 1}, {0, 3, 0, 2}, {0, 0, 4, 3}, {0, 0, 0, 1}};
        Image vol = image(d, 1, new int[] {2, 3, 4}, new double[] {2, 3, 4}, aff);
        Image s = ImageOps.slice(vol, 1, 2);
        assertArrayEquals(new int[] {2, 4}, s.shape());
        assertArrayEquals(new double[] {2, 4}, s.spacing(), 0);
        for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) {
            assertEquals(d[(i * 3 + 2) * 4 + k], s.data()[i * 4 + k]);
            assertArrayEquals(world(aff, i, 2, k), world(s.affine(), i, k), 1e-12);
        }
        assertEquals(3.0, s.affine()[1][2], 0); // the removed axis's column fills the third slot
    }

    @Test
    void nonZeroBoxAndCrop() {
        float[] d = new float[5 * 6];
        d[1 * 6 + 2] = 1;
        d[3 * 6 + 4] = 2;
        Image img = Image.of(d, 5, 6);
        int[][] box = ImageOps.nonZeroBox(img);
        assertArrayEquals(new int[] {1, 2}, box[0]);
        assertArrayEquals(new int[] {3, 3}, box[1]);
        Image c = ImageOps.cropToNonZero(img, 0);
        assertArrayEquals(new int[] {3, 3}, c.shape());
        assertEquals(1f, c.data()[0]);
        assertEquals(2f, c.data()[8]);
        assertArrayEquals(new int[] {5, 5}, ImageOps.cropToNonZero(img, 1).shape()); // clamped at row 4 / col 5
        assertNull(ImageOps.nonZeroBox(Image.of(new float[4], 2, 2)));
    }

    @Test
    void channelConversion() {
        Image rgb = image(new float[] {100, 0, 0, 200, 10, 20}, 3, new int[] {1, 2}, new double[] {1, 1}, null);
        Image g = ImageOps.toChannels(rgb, 1);
        assertArrayEquals(new float[] {0.299f * 100 + 0.587f * 0 + 0.114f * 10,
                0.299f * 0 + 0.587f * 200 + 0.114f * 20}, g.data(), 1e-3f);
        Image three = ImageOps.toChannels(Image.of(new float[] {1, 2}, 1, 2), 3);
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, three.data());
        assertThrows(CoverException.class, () -> ImageOps.toChannels(image(new float[4], 2, new int[] {1, 2},
                new double[] {1, 1}, null), 3));
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Image img = Image.of(new float[4], 2, 2);
        CoverException e = assertThrows(CoverException.class,
                () -> ImageOps.resampleToSpacing(img, new double[] {1}, Interpolation.LINEAR));
        assertEquals(CoverException.USAGE, e.exitCode());
        assertThrows(CoverException.class, () -> ImageOps.resize(img, new int[] {0, 2}, Interpolation.LINEAR));
        assertThrows(CoverException.class, () -> ImageOps.slice(img, 0, 2));
        assertThrows(CoverException.class, () -> ImageOps.resampleToSpacing(img, new double[] {1, -1}, Interpolation.LINEAR));
    }
}
