package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NIfTI reading on files built byte by byte ({@link NiftiBytes}): every datatype, both versions and byte orders. */
class NiftiReaderTest {
    @TempDir
    Path dir;

    /** f(i,j,k) for a (4,3,2) volume, listed in the file's Fortran order (i fastest). */
    private static double[] fortranValues(double scale, double shift) {
        double[] v = new double[24];
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 4; i++) v[i + 4 * j + 12 * k] = scale * (50 * i + 10 * j + k) + shift;
            }
        }
        return v;
    }

    /** The same f(i,j,k) in C order: element (i,j,k) at (i*3 + j)*2 + k. */
    private static void assertCOrder(Image img, double scale, double shift) {
        assertArrayEquals(new int[]{4, 3, 2}, img.shape());
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 2; k++) {
                    float expected = (float) (scale * (50 * i + 10 * j + k) + shift);
                    assertEquals(expected, img.data()[(i * 3 + j) * 2 + k], 0.0f, "(" + i + "," + j + "," + k + ")");
                }
            }
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void everyDatatypeInBothByteOrdersAndVersions() throws IOException {
        Object[][] types = {
                {2, SampleType.UINT8, 1.0, 0.0, "uint8"}, {256, SampleType.INT8, 1.0, -100.0, "int8"},
                {4, SampleType.INT16, -100.0, 7.0, "int16"}, {512, SampleType.UINT16, 300.0, 5.0, "uint16"},
                {8, SampleType.INT32, -1e6, 3.0, "int32"}, {768, SampleType.UINT32, 1.0, 4.0e9, "uint32"},
                {1024, SampleType.INT64, 1.0, -0x1p40, "int64"}, {1280, SampleType.UINT64, 0x1p45, 0x1p63, "uint64"},
                {16, SampleType.FLOAT32, 0.25, -3.5, "float32"}, {64, SampleType.FLOAT64, 1e-3, 1e5, "float64"}};
        for (Object[] t : types) {
            for (ByteOrder order : new ByteOrder[]{ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                for (int version : new int[]{1, 2}) {
                    SampleType st = (SampleType) t[1];
                    NiftiBytes nb = new NiftiBytes();
                    nb.version = version;
                    nb.order = order;
                    nb.datatype = (int) t[0];
                    nb.bitpix = st.bytes() * 8;
                    nb.values(st, fortranValues((double) t[2], (double) t[3]));
                    String name = t[4] + "-" + order + "-v" + version + ".nii";
                    Image img = NiftiReader.read(write(name, nb.toBytes()));
                    assertCOrder(img, (double) t[2], (double) t[3]);
                    assertEquals(t[4], img.datatype(), name);
                    assertEquals("nifti" + version, img.format(), name);
                }
            }
        }
    }

    @Test
    void gzippedFileReadsLikeThePlainOne() throws IOException {
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, fortranValues(1.5, -2));
        Image plain = NiftiReader.read(write("a.nii", nb.toBytes()));
        Image gz = NiftiReader.read(write("a.nii.gz", NiftiBytes.gzip(nb.toBytes())));
        assertArrayEquals(plain.data(), gz.data());
        assertCOrder(gz, 1.5, -2);
    }

    @Test
    void sclSlopeAndInterceptFollowNibabel() throws IOException {
        NiftiBytes nb = new NiftiBytes();
        nb.datatype = 4;
        nb.bitpix = 16;
        nb.values(SampleType.INT16, fortranValues(1, 0));
        nb.slope = 2;
        nb.inter = -1;
        assertCOrder(NiftiReader.read(write("scaled.nii", nb.toBytes())), 2, -1);
        nb.slope = 0; // nibabel: slope 0 means "no scaling"
        assertCOrder(NiftiReader.read(write("slope0.nii", nb.toBytes())), 1, 0);
        nb.slope = Double.NaN;
        assertCOrder(NiftiReader.read(write("slopeNaN.nii", nb.toBytes())), 1, 0);
        nb.slope = 2;
        nb.inter = Double.NaN; // nibabel raises: valid slope, invalid intercept
        Path bad = write("interNaN.nii", nb.toBytes());
        CoverException e = assertThrows(CoverException.class, () -> NiftiReader.read(bad));
        assertTrue(e.getMessage().contains("interNaN.nii") && e.getMessage().contains("scl_inter"), e.getMessage());
    }

    @Test
    void qformFromQuaternionWithQfac() throws IOException {
        // 90 degrees about z: quaternion (a, b, c, d) = (cos 45, 0, 0, sin 45) -> R = [[0,-1,0],[1,0,0],[0,0,1]].
        // pixdim = (qfac -1, 2, 3, 4) -> M = R * diag(2, 3, -4), offset (10, 20, 30). Computed by hand.
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, new double[24]);
        nb.qformCode = 1;
        nb.quatern = new double[]{0, 0, Math.sqrt(0.5), 10, 20, 30};
        nb.pixdim = new double[]{-1, 2, 3, 4, 1, 1, 1, 1};
        double[][] expected = {{0, -3, 0, 10}, {2, 0, 0, 20}, {0, 0, -4, 30}, {0, 0, 0, 1}};
        for (int version : new int[]{1, 2}) {
            nb.version = version;
            assertAffine(expected, NiftiReader.read(write("q" + version + ".nii", nb.toBytes())).affine(), 1e-6);
        }
        // sform wins over qform when its code is set.
        nb.sformCode = 2;
        nb.srow = new double[][]{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}};
        assertAffine(new double[][]{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {0, 0, 0, 1}},
                NiftiReader.read(write("s.nii", nb.toBytes())).affine(), 0);
    }

    @Test
    void withoutQformOrSformTheAffineIsNibabelsBaseAffine() throws IOException {
        // nibabel get_base_affine: diag(-2, 3, 4) with origin at the centre: t = -((shape-1)/2) * zooms
        // = (-(1.5)(-2), -(1)(3), -(0.5)(4)) = (3, -3, -2) for shape (4,3,2).
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, new double[24]);
        nb.pixdim = new double[]{1, 2, 3, 4, 1, 1, 1, 1};
        Image img = NiftiReader.read(write("base.nii", nb.toBytes()));
        assertAffine(new double[][]{{-2, 0, 0, 3}, {0, 3, 0, -3}, {0, 0, 4, -2}, {0, 0, 0, 1}}, img.affine(), 0);
        assertArrayEquals(new double[]{2, 3, 4}, img.spacing());
    }

    @Test
    void aZeroVoxelSizeIsTakenAsOneAsNibabelDoesAndReported() throws IOException {
        // nibabel's header check: "pixdim[1,2,3] should be non-zero; setting 0 dims to 1", before any affine is made.
        // Base affine from zooms (1, 3, 1) for shape (4,3,2): diag(-1, 3, 1), t = (1.5, -3, -0.5).
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, new double[24]);
        nb.pixdim = new double[]{1, 0, 3, 0, 1, 1, 1, 1};
        Path f = write("zero.nii", nb.toBytes());
        MedicalImages.Reading r = MedicalImages.readReporting(f);
        assertAffine(new double[][]{{-1, 0, 0, 1.5}, {0, 3, 0, -3}, {0, 0, 1, -0.5}, {0, 0, 0, 1}}, r.image().affine(), 0);
        assertArrayEquals(new double[]{1, 3, 1}, r.image().spacing());
        assertEquals(List.of(f + ": voxel size (pixdim) is 0 along axes 0, 2; 1 mm assumed there, as nibabel does"), r.warnings());
        // The qform is built from the same corrected sizes: identity rotation, zooms (1, 3, 1), offset (5, 6, 7).
        nb.qformCode = 1;
        nb.quatern = new double[]{0, 0, 0, 5, 6, 7};
        Image q = NiftiReader.read(write("zeroq.nii", nb.toBytes()));
        assertAffine(new double[][]{{1, 0, 0, 5}, {0, 3, 0, 6}, {0, 0, 1, 7}, {0, 0, 0, 1}}, q.affine(), 1e-6);
        // Sizes given: nothing to report.
        nb.pixdim = new double[]{1, 2, 3, 4, 0, 0, 0, 0};
        assertEquals(List.of(), MedicalImages.readReporting(write("sized.nii", nb.toBytes())).warnings());
    }

    @Test
    void rgb24IsThreeChannels() throws IOException {
        NiftiBytes nb = new NiftiBytes();
        nb.dim = new long[]{3, 2, 2, 1, 1, 1, 1, 1};
        nb.datatype = 128;
        nb.bitpix = 24;
        // Voxels in Fortran order (0,0),(1,0),(0,1),(1,1), each R,G,B interleaved: R = 10v, G = 10v+1, B = 10v+2.
        nb.data = new byte[]{0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32};
        Image img = NiftiReader.read(write("rgb.nii", nb.toBytes()));
        assertEquals(3, img.channels());
        assertEquals("rgb24", img.datatype());
        // C order over (c, i, j, k): voxel (i,j) at i*2 + j; file voxel number v = i + 2j.
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) assertEquals(10 * (i + 2 * j) + c, img.data()[c * 4 + i * 2 + j], 0f);
            }
        }
    }

    @Test
    void fiveDimensionsKeepTrailingAxes() throws IOException {
        NiftiBytes nb = new NiftiBytes();
        nb.dim = new long[]{5, 2, 1, 1, 1, 3, 1, 1};
        double[] v = {0, 1, 2, 3, 4, 5}; // Fortran: index (i, 0, 0, 0, m) = i + 2m
        nb.values(SampleType.FLOAT32, v);
        Image img = NiftiReader.read(write("five.nii", nb.toBytes()));
        assertArrayEquals(new int[]{2, 1, 1, 1, 3}, img.shape());
        // C order: (i, m) at i*3 + m holds i + 2m.
        assertArrayEquals(new float[]{0, 2, 4, 1, 3, 5}, img.data());
    }

    @Test
    void voxOffsetBeyondTheHeaderAndPairFiles() throws IOException {
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, fortranValues(1, 1));
        nb.voxOffset = 480; // extensions or padding before the voxels
        assertCOrder(NiftiReader.read(write("off.nii", nb.toBytes())), 1, 1);

        NiftiBytes pair = new NiftiBytes().values(SampleType.FLOAT32, fortranValues(2, 0));
        pair.magic = "ni1\0";
        pair.voxOffset = 0;
        write("pair.hdr", pair.header());
        write("pair.img", pair.data);
        assertCOrder(NiftiReader.read(dir.resolve("pair.hdr")), 2, 0);
        assertCOrder(MedicalImages.read(dir.resolve("pair.img")), 2, 0);
    }

    static void assertAffine(double[][] expected, double[][] actual, double tol) {
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) assertEquals(expected[r][c], actual[r][c], tol, "affine[" + r + "][" + c + "]");
        }
    }
}
