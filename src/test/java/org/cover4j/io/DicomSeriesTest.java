package org.cover4j.io;

import org.cover4j.io.DicomFilesForTest.Slice;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.cover4j.io.DicomFilesForTest.AXIAL;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Series folders built in the test from synthetic slices with known positions, so every expected
 * number is set by construction: voxel (i, j, k) of slice k holds {@code 100*k + 10*j + i} (stored),
 * slices are written under shuffled file names, and the affine follows from the chosen geometry.
 */
class DicomSeriesTest {
    @TempDir
    Path dir;

    static final int ROWS = 3, COLS = 4;

    static short[] values(int k) {
        short[] v = new short[ROWS * COLS];
        for (int r = 0; r < ROWS; r++) for (int c = 0; c < COLS; c++) v[r * COLS + c] = (short) (100 * k + 10 * r + c - 250);
        return v;
    }

    static double expected(int k, int r, int c) {
        return 100 * k + 10 * r + c - 250;
    }

    static double at(Image im, int i, int j, int k) {
        return im.data()[(i * im.dim(1) + j) * im.dim(2) + k];
    }

    void write(String name, Slice s, short[] v) throws IOException {
        Files.write(dir.resolve(name), DicomFilesForTest.slice(s, v));
    }

    static Slice axial(String uid, int instance, double z) {
        return new Slice(uid, instance, new double[] {-10, 20, z}, AXIAL, ROWS, COLS, 1, 0);
    }

    @Test
    void shuffledAxialSeriesIsSortedByPosition() throws IOException {
        // Slice k at z = -30 + 2.5 k, written under names whose order is not the slice order, and with
        // InstanceNumbers that disagree with the positions (positions win).
        int[] order = {3, 0, 4, 1, 2};
        for (int n = 0; n < order.length; n++) {
            int k = order[n];
            write("img" + n + ".dcm", axial("1.2.3", 10 - k * (k % 2 == 0 ? 1 : -1), -30 + 2.5 * k), values(k));
        }
        DicomVolume v = DicomReader.readVolume(dir, null);
        Image im = v.image();
        assertArrayEquals(new int[] {COLS, ROWS, 5}, im.shape());
        for (int k = 0; k < 5; k++)
            for (int j = 0; j < ROWS; j++)
                for (int i = 0; i < COLS; i++) assertEquals(expected(k, j, i), at(im, i, j, k), 0, "voxel " + i + "," + j + "," + k);
        // PixelSpacing 0.5 (rows) \ 0.75 (columns); slice step 2.5 from the positions, not the header's 2.0.
        assertArrayEquals(new double[] {0.75, 0.5, 2.5}, im.spacing(), 1e-9);
        double[][] a = im.affine();
        double[][] expected = {{-0.75, 0, 0, 10}, {0, -0.5, 0, -20}, {0, 0, 2.5, -30}, {0, 0, 0, 1}};
        for (int r = 0; r < 4; r++) assertArrayEquals(expected[r], a[r], 1e-9);
        assertEquals("int16", im.datatype());
        assertEquals(5, v.files().size());
        assertEquals(dir.resolve("img1.dcm"), v.files().get(0));  // slice 0
        assertTrue(v.warnings().isEmpty(), v.warnings().toString());
    }

    @Test
    void obliqueSeriesUsesTheCrossProductNormal() throws IOException {
        // Rows along +y, columns along -z: normal = (0,1,0) x (0,0,-1) = (-1,0,0). Slices step 3 mm along
        // the normal; the files list them in descending projection.
        double[] iop = {0, 1, 0, 0, 0, -1};
        for (int k = 0; k < 4; k++) {
            double[] pos = {5 - 3.0 * k, 1, 2};
            write(String.format("s%02d.dcm", 3 - k), new Slice("1.9", k + 1, pos, iop, ROWS, COLS, 1, 0), values(k));
        }
        Image im = DicomReader.read(dir);
        assertArrayEquals(new double[] {0.75, 0.5, 3}, im.spacing(), 1e-9);
        // LPS columns: (0,1,0)*0.75, (0,0,-1)*0.5, (-1,0,0)*3, origin (5,1,2); RAS negates rows x and y.
        double[][] expected = {{0, 0, 3, -5}, {-0.75, 0, 0, -1}, {0, -0.5, 0, 2}, {0, 0, 0, 1}};
        for (int r = 0; r < 4; r++) assertArrayEquals(expected[r], im.affine()[r], 1e-9);
        assertEquals(expected(2, 1, 3), at(im, 3, 1, 2), 0);
    }

    @Test
    void perSliceRescaleIsApplied() throws IOException {
        write("a.dcm", new Slice("7", 1, new double[] {0, 0, 0}, AXIAL, ROWS, COLS, 2, -5), values(0));
        write("b.dcm", new Slice("7", 2, new double[] {0, 0, 1}, AXIAL, ROWS, COLS, 0.5, 100), values(1));
        Image im = DicomReader.read(dir);
        assertEquals(2 * expected(0, 2, 3) - 5, at(im, 3, 2, 0), 0);
        assertEquals(0.5 * expected(1, 2, 3) + 100, at(im, 3, 2, 1), 0);
    }

    @Test
    void withoutPositionsInstanceNumberOrdersAndHeaderGivesSpacing() throws IOException {
        for (int k = 0; k < 3; k++) {
            write("f" + (2 - k) + ".dcm", new Slice("5", k + 1, null, AXIAL, ROWS, COLS, 1, 0), values(k));
        }
        DicomVolume v = DicomReader.readVolume(dir, null);
        for (int k = 0; k < 3; k++) assertEquals(expected(k, 0, 0), at(v.image(), 0, 0, k), 0);
        assertEquals(2.0, v.image().spacing()[2], 0);  // SpacingBetweenSlices written by the test writer
        assertTrue(v.warnings().stream().anyMatch(w -> w.contains("InstanceNumber")), v.warnings().toString());
    }

    @Test
    void singleFileKeepsItsGeometryAsOneSlice() throws IOException {
        write("one.dcm", axial("1", 1, 7), values(0));
        Image im = DicomReader.read(dir.resolve("one.dcm"));
        assertArrayEquals(new int[] {COLS, ROWS, 1}, im.shape());
        assertArrayEquals(new double[] {0.75, 0.5, 2.0}, im.spacing(), 1e-9);
        assertEquals(7, im.affine()[2][3], 1e-9);
        assertEquals(expected(0, 2, 1), at(im, 1, 2, 0), 0);
    }

    @Test
    void severalSeriesAreListedOrChosen() throws IOException {
        for (int k = 0; k < 2; k++) {
            write("a" + k + ".dcm", axial("1.2.840.1", k, k), values(k));
            write("b" + k + ".dcm", axial("1.2.840.2", k, 5 * k), values(k + 5));
        }
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(dir));
        assertTrue(e.getMessage().startsWith(dir + ": folder holds 2 DICOM series"), e.getMessage());
        assertTrue(e.getMessage().contains("1.2.840.1 (OT, 2 files)"), e.getMessage());
        assertTrue(e.getMessage().contains("1.2.840.2 (OT, 2 files)"), e.getMessage());
        Image b = DicomReader.read(dir, "1.2.840.2");
        assertEquals(5.0, b.spacing()[2], 1e-9);
        assertEquals(expected(6, 0, 0), at(b, 0, 0, 1), 0);
        assertThrows(CoverException.class, () -> DicomReader.read(dir, "9.9"));
    }

    @Test
    void nonDicomAndNonImageFilesAreSkipped() throws IOException {
        for (int k = 0; k < 2; k++) write("s" + k + ".dcm", axial("3", k, k), values(k));
        Files.writeString(dir.resolve("README.txt"), "notes about this scan\n");
        Files.write(dir.resolve("thumbs.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0});
        DicomFilesForTest.Writer noPixels = new DicomFilesForTest.Writer(true);
        noPixels.str(DicomTags.SOP_CLASS, "UI", "1.2.840.10008.1.3.10").str(DicomTags.MODALITY, "CS", "OT");
        Files.write(dir.resolve("DICOMDIR"), DicomFilesForTest.part10(DicomFilesForTest.EXPLICIT_LE, noPixels.toBytes()));
        DicomVolume v = DicomReader.readVolume(dir, null);
        assertArrayEquals(new int[] {COLS, ROWS, 2}, v.image().shape());
        assertEquals(2, v.files().size());
    }

    @Test
    void missingSliceIsAnErrorAndSmallJitterAWarning() throws IOException {
        double[] z = {0, 2, 4, 8, 10};  // 6 is missing
        for (int k = 0; k < z.length; k++) write("m" + k + ".dcm", axial("4", k, z[k]), values(k));
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(dir));
        assertTrue(e.getMessage().startsWith(dir + ": DICOM slices are not evenly spaced: 4 mm between m2.dcm and m3.dcm"),
                e.getMessage());
        Files.delete(dir.resolve("m3.dcm"));
        Files.delete(dir.resolve("m4.dcm"));
        write("m3.dcm", axial("4", 3, 6.1), values(3));  // 2, 2, 2.1: within 25%, above 1%
        DicomVolume v = DicomReader.readVolume(dir, null);
        assertEquals(6.1 / 3, v.image().spacing()[2], 1e-9);
        assertTrue(v.warnings().stream().anyMatch(w -> w.contains("slice spacing varies")), v.warnings().toString());
    }

    @Test
    void duplicatePositionsAreAnError() throws IOException {
        write("d0.dcm", axial("6", 1, 0), values(0));
        write("d1.dcm", axial("6", 2, 1), values(1));
        write("d2.dcm", axial("6", 3, 1), values(2));
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(dir));
        assertTrue(e.getMessage().contains("duplicates"), e.getMessage());
    }

    @Test
    void slicesOfDifferentSizeOrOrientationAreRefusedByName() throws IOException {
        write("a.dcm", axial("8", 1, 0), values(0));
        write("b.dcm", new Slice("8", 2, new double[] {0, 0, 1}, AXIAL, ROWS, COLS - 1, 1, 0), new short[ROWS * (COLS - 1)]);
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("b.dcm") + ": DICOM slice differs from a.dcm"), e.getMessage());
        Files.delete(dir.resolve("b.dcm"));
        write("c.dcm", new Slice("8", 2, new double[] {0, 0, 1}, new double[] {0, 1, 0, 0, 0, -1}, ROWS, COLS, 1, 0), values(1));
        e = assertThrows(CoverException.class, () -> DicomReader.read(dir));
        assertTrue(e.getMessage().contains("ImageOrientationPatient differs"), e.getMessage());
    }
}
