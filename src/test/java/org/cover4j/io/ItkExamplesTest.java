package org.cover4j.io;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MetaImage files of Debian's insighttoolkit5-examples against PNG files of the same images in the same package
 * (and against each other): raw and zlib-compressed data files, LOCAL data, 2-channel float, files without
 * ObjectType, oblique directions and offsets. A MetaImage (x, y) index is a PNG (row y, column x) pixel.
 */
class ItkExamplesTest {
    private static final String PKG = "insighttoolkit5-examples";
    private static final String DATA = "usr/share/doc/insighttoolkit5-examples/examples/Data/";

    private static Path data(String name) {
        Optional<Path> p = DebianData.file(PKG, DATA + name);
        assumeTrue(p.isPresent(), "Debian package " + PKG + " not unpacked");
        return p.get();
    }

    /** mha(x, y) == png(y, x) for every pixel. */
    private static void assertSameAsPng(Image mha, Image png) {
        int nx = mha.dim(0), ny = mha.dim(1);
        assertArrayEquals(new int[]{ny, nx}, png.shape());
        for (int x = 0; x < nx; x++) {
            for (int y = 0; y < ny; y++) {
                assertEquals(png.data()[y * nx + x], mha.data()[x * ny + y], 0f, "pixel x=" + x + " y=" + y);
            }
        }
    }

    @Test
    void rawMhdMatchesItsPng() {
        for (String base : new String[]{"BrainProtonDensitySliceBorder20", "BrainProtonDensitySliceShifted13x17y"}) {
            Image mhd = MedicalImages.read(data(base + ".mhd"));
            assertEquals("metaimage", mhd.format());
            assertEquals("uint8", mhd.datatype());
            assertArrayEquals(new int[]{221, 257}, mhd.shape());
            assertSameAsPng(mhd, MedicalImages.read(data(base + ".png")));
            // Identity direction in LPS is diag(-1, -1, 1) in RAS.
            NiftiReaderTest.assertAffine(new double[][]{{-1, 0, 0, 0}, {0, -1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, mhd.affine(), 0);
        }
    }

    @Test
    void compressedObliqueMhdMatchesThePngAndHasTheRotatedAffine() {
        Image mhd = MedicalImages.read(data("BrainProtonDensitySliceBorder20DirectionPlus30.mhd"));
        assertSameAsPng(mhd, MedicalImages.read(data("BrainProtonDensitySliceBorder20.png")));
        Image t1 = MedicalImages.read(data("BrainT1SliceBorder20DirectionPlus30.mhd"));
        assertSameAsPng(t1, MedicalImages.read(data("BrainT1SliceBorder20.png")));
        // TransformMatrix = 0.8660254 0.5 -0.5 0.8660254: axis x points along (c, s), axis y along (-s, c) in LPS,
        // a +30 degree rotation; RAS negates the first two rows.
        double c = 0.8660254, s = 0.5;
        NiftiReaderTest.assertAffine(new double[][]{{-c, s, 0, 0}, {-s, -c, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, mhd.affine(), 1e-12);
        Image minus = MedicalImages.read(data("BrainProtonDensitySliceBorder20DirectionMinus30.mhd"));
        assertArrayEquals(mhd.data(), minus.data());
        NiftiReaderTest.assertAffine(new double[][]{{-c, -s, 0, 0}, {s, -c, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, minus.affine(), 1e-12);
    }

    @Test
    void magnitudeFileIsTheModulusOfTheTwoChannelComplexFile() {
        Image complex = MedicalImages.read(data("itkBrainSliceComplex.mha"));
        Image magnitude = MedicalImages.read(data("itkBrainSliceComplexMagnitude.mha"));
        assertEquals(2, complex.channels());
        assertArrayEquals(new int[]{181, 217}, complex.shape());
        assertArrayEquals(magnitude.shape(), complex.shape());
        int n = (int) complex.voxels();
        float[] c = complex.data();
        for (int i = 0; i < n; i++) {
            float expected = (float) Math.hypot(c[i], c[n + i]);
            assertEquals(expected, magnitude.data()[i], 1e-5f * Math.max(1, expected), "voxel " + i);
        }
    }

    @Test
    void compressedLocalFloatWithOffsetAndSpacing() {
        // numpy on the zlib-inflated payload: 1798 float32 values, sum 22673.184 (float32 accumulation),
        // min -3.826093, max 38.65021.
        Image img = MedicalImages.read(data("CorpusCallosumMeanShape.mha"));
        assertArrayEquals(new int[]{58, 31}, img.shape());
        double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (float v : img.data()) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(22673.184, sum, 0.01);
        assertEquals(-3.826093, min, 1e-6);
        assertEquals(38.65021, max, 1e-5);
        assertArrayEquals(new double[]{2, 2}, img.spacing());
        // Offset -57.5 -30.5 (LPS) is (57.5, 30.5) in RAS; spacing 2 on the diagonal, negated.
        NiftiReaderTest.assertAffine(new double[][]{{-2, 0, 0, 57.5}, {0, -2, 0, 30.5}, {0, 0, 1, 0}, {0, 0, 0, 1}}, img.affine(), 0);
    }

    @Test
    void threeSliceVolumeWithoutObjectType() {
        // numpy: np.fromfile(raw, uint8).reshape(3, 217, 181) slice sums 4917710, 4908216, 4899782.
        Image img = MedicalImages.read(data("BrainProtonDensity3Slices.mha"));
        assertArrayEquals(new int[]{181, 217, 3}, img.shape());
        double[] sums = new double[3];
        float[] v = img.data();
        for (int i = 0; i < v.length; i++) sums[i % 3] += v[i]; // z is the fastest axis in C order
        assertArrayEquals(new double[]{4917710, 4908216, 4899782}, sums, 0);
    }

    @Test
    void niftiFilesInThePackageAgreeWithNibabel() {
        for (String name : new String[]{"KmeansTest_T1UCharRaw.nii.gz", "KmeansTest_T1RawSkullStrip.nii.gz"}) {
            Path file = data(name);
            Image img = MedicalImages.read(file);
            Optional<String> out = NibabelPython.run(String.join("\n",
                    "import nibabel as nib, numpy as np",
                    "im = nib.load(r'" + file + "')",
                    "d = np.asanyarray(im.dataobj).astype(np.float64)",
                    "print(' '.join(str(s) for s in im.shape))",
                    "print(repr(float(d.sum())))",
                    "print(' '.join(repr(float(x)) for x in im.affine.ravel()))"));
            assumeTrue(out.isPresent(), "nibabel not available");
            String[] lines = out.get().strip().split("\n");
            assertEquals(lines[0].trim().replace(' ', ','), java.util.Arrays.toString(img.shape()).replaceAll("[\\[\\] ]", ""));
            double sum = 0;
            for (float v : img.data()) sum += v;
            NiftiReferenceTest.assertClose(Double.parseDouble(lines[1]), sum, 1e-6, name + " sum");
            String[] a = lines[2].trim().split(" ");
            for (int i = 0; i < 16; i++) assertEquals(Double.parseDouble(a[i]), img.affine()[i / 4][i % 4], 1e-4, name + " affine");
        }
    }
}
