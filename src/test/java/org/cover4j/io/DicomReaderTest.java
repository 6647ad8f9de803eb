package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DICOM reading against pydicom's own test files (Debian package python3-pydicom, unpacked into
 * ~/.cache/cover4j/debian/python3-pydicom; skipped when absent).
 *
 * <p>Expected numbers were computed with pydicom 2.3.1 from that package (PYTHONPATH=&lt;root&gt;/usr/lib/
 * python3/dist-packages, python3 with numpy): {@code ds.pixel_array} (stored values, before rescale), its
 * sum, single pixels, and a position-weighted checksum {@link #fingerprint} =
 * sum(v * ((r*7 + c*3 + s*11 + f*13) % 101 + 1)) over frame f, row r, column c, sample s, which pins
 * every value to its place. JPEG expectations for which pydicom had no decoder come from pydicom's
 * tests (tests/test_pillow_pixel_data.py, JPEG_MATCHING_DATASETS) as quoted below.
 */
class DicomReaderTest {
    private static final String PKG = "python3-pydicom";
    private static final String DIR = "usr/lib/python3/dist-packages/pydicom/data/test_files/";

    static Path testFile(String name) {
        Path p = DebianData.file(PKG, DIR + name).orElse(null);
        assumeTrue(p != null, "Debian package " + PKG + " not unpacked in ~/.cache/cover4j/debian");
        return p;
    }

    /** Stored value (before rescale) at frame f, row r, column c, sample s. */
    static double stored(DicomVolume v, double intercept, int f, int r, int c, int s) {
        Image im = v.image();
        int cols = im.dim(0), rows = im.dim(1), n = im.dim(2);
        return im.data()[((s * cols + c) * rows + r) * n + f] - intercept;
    }

    /** The checksum described in the class comment, over stored values. */
    static long fingerprint(DicomVolume v, double intercept) {
        Image im = v.image();
        int cols = im.dim(0), rows = im.dim(1), n = im.dim(2);
        long sum = 0;
        for (int f = 0; f < n; f++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    for (int s = 0; s < im.channels(); s++) {
                        long w = (r * 7L + c * 3L + s * 11L + f * 13L) % 101 + 1;
                        sum += Math.round(stored(v, intercept, f, r, c, s)) * w;
                    }
        return sum;
    }

    static double sum(Image im) {
        double s = 0;
        for (float x : im.data()) s += x;
        return s;
    }

    @Test
    void ctSmallSignedWithRescale() {
        DicomVolume v = DicomReader.readVolume(testFile("CT_small.dcm"), null);
        Image im = v.image();
        assertArrayEquals(new int[] {128, 128, 1}, im.shape());
        assertEquals(1, im.channels());
        assertEquals("int16", im.datatype());
        assertEquals("DICOM", im.format());
        assertEquals("CT", v.modality());
        assertEquals("1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322", v.seriesUid());
        // pydicom: pixel_array sum 14826310, min 128, max 2191; RescaleSlope 1, RescaleIntercept -1024.
        assertEquals(14826310 - 1024.0 * 128 * 128, sum(im), 1e-3);
        assertEquals(753710154L, fingerprint(v, -1024));
        // pydicom: arr[0,0]=175, arr[64,64]=1928, arr[10,100]=1227, arr[127,0]=959, arr[0,127]=216 (row, col).
        assertEquals(175 - 1024, stored(v, 0, 0, 0, 0, 0));
        assertEquals(1928 - 1024, stored(v, 0, 0, 64, 64, 0));
        assertEquals(1227 - 1024, stored(v, 0, 0, 10, 100, 0));
        assertEquals(959 - 1024, stored(v, 0, 0, 127, 0, 0));
        assertEquals(216 - 1024, stored(v, 0, 0, 0, 127, 0));
        // PixelSpacing 0.661468\0.661468, SpacingBetweenSlices 5; IPP -158.135803\-179.035797\-75.699997, axial IOP.
        assertArrayEquals(new double[] {0.661468, 0.661468, 5.0}, im.spacing(), 1e-9);
        double[][] expected = {
                {-0.661468, 0, 0, 158.135803},
                {0, -0.661468, 0, 179.035797},
                {0, 0, 5.0, -75.699997},
                {0, 0, 0, 1}};
        for (int i = 0; i < 4; i++) assertArrayEquals(expected[i], im.affine()[i], 1e-9);
    }

    @Test
    void mrSmallIsTheSameInEveryUncompressedAndLosslessSyntax() {
        DicomVolume ref = DicomReader.readVolume(testFile("MR_small.dcm"), null);
        // pydicom: MR_small pixel_array (int16, 64x64) sum 2125338, arr[0,0]=905, arr[31,32]=210, arr[63,10]=294.
        assertEquals(2125338, sum(ref.image()), 1e-3);
        assertEquals(106341796L, fingerprint(ref, 0));
        assertEquals(905, stored(ref, 0, 0, 0, 0, 0));
        assertEquals(210, stored(ref, 0, 0, 31, 32, 0));
        assertEquals(294, stored(ref, 0, 0, 63, 10, 0));
        assertArrayEquals(new double[] {0.3125, 0.3125, 0.8}, ref.image().spacing(), 1e-9);
        assertEquals(83.9063, ref.image().affine()[0][3], 1e-9);
        assertEquals(91.2, ref.image().affine()[1][3], 1e-9);
        assertEquals(6.6406, ref.image().affine()[2][3], 1e-9);
        String[] variants = {"MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
                "MR_small_RLE.dcm", "MR_small_padded.dcm"};
        String[] syntaxes = {"1.2.840.10008.1.2 ", "1.2.840.10008.1.2.2 ", "1.2.840.10008.1.2.2 ",
                "1.2.840.10008.1.2.5 ", "1.2.840.10008.1.2.1 "};
        for (int i = 0; i < variants.length; i++) {
            DicomVolume v = DicomReader.readVolume(testFile(variants[i]), null);
            assertTrue(v.transferSyntax().startsWith(syntaxes[i]), variants[i] + ": " + v.transferSyntax());
            assertArrayEquals(ref.image().data(), v.image().data(), variants[i]);
            assertArrayEquals(ref.image().shape(), v.image().shape(), variants[i]);
            for (int r = 0; r < 4; r++) assertArrayEquals(ref.image().affine()[r], v.image().affine()[r], 1e-12, variants[i]);
        }
    }

    @Test
    void unsupportedCompressionNamesTheSyntax() {
        Path j2k = testFile("MR_small_jp2klossless.dcm");
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(j2k));
        assertEquals(j2k + ": compressed DICOM (TransferSyntax 1.2.840.10008.1.2.4.90 JPEG 2000 Image Compression"
                + " (Lossless Only)) is not supported; convert with dcm2niix", e.getMessage());
        Path jls = testFile("MR_small_jpeg_ls_lossless.dcm");
        e = assertThrows(CoverException.class, () -> DicomReader.read(jls));
        assertEquals(jls + ": compressed DICOM (TransferSyntax 1.2.840.10008.1.2.4.80 JPEG-LS Lossless) is not"
                + " supported; convert with dcm2niix", e.getMessage());
    }

    @Test
    void deflatedDataSet() {
        DicomVolume v = DicomReader.readVolume(testFile("image_dfl.dcm"), null);
        assertTrue(v.transferSyntax().startsWith("1.2.840.10008.1.2.1.99 "));
        assertArrayEquals(new int[] {512, 512, 1}, v.image().shape());
        assertEquals("uint8", v.image().datatype());
        // pydicom: uint8 512x512, sum 33322688.
        assertEquals(33322688, sum(v.image()), 1e-3);
        assertEquals(1699467826L, fingerprint(v, 0));
    }

    @Test
    void multiFrameDoseInThreeSyntaxesIsThreeD() {
        for (String name : new String[] {"rtdose.dcm", "rtdose_expb.dcm", "rtdose_rle.dcm"}) {
            DicomVolume v = DicomReader.readVolume(testFile(name), null);
            Image im = v.image();
            assertArrayEquals(new int[] {10, 10, 15}, im.shape(), name);
            assertEquals("uint32", im.datatype());
            // pydicom: (15, 10, 10) uint32, sum 1519910000; arr[0,0,0]=1249000, arr[7,3,5]=1073000, arr[14,9,9]=799000.
            assertEquals(78142987000L, fingerprint(v, 0), name);
            assertEquals(1249000, stored(v, 0, 0, 0, 0, 0));
            assertEquals(1073000, stored(v, 0, 7, 3, 5, 0));
            assertEquals(799000, stored(v, 0, 14, 9, 9, 0));
            // GridFrameOffsetVector 0\5\...\70 along the normal (0,0,1); PixelSpacing 10\10;
            // IPP 189.43125\199.43125\-761.87.
            assertArrayEquals(new double[] {10, 10, 5}, im.spacing(), 1e-9, name);
            double[][] expected = {{-10, 0, 0, -189.43125}, {0, -10, 0, -199.43125}, {0, 0, 5, -761.87}, {0, 0, 0, 1}};
            for (int i = 0; i < 4; i++) assertArrayEquals(expected[i], im.affine()[i], 1e-9, name);
        }
    }

    @Test
    void rleColour() {
        DicomVolume v = DicomReader.readVolume(testFile("SC_rgb_rle.dcm"), null);
        assertEquals(3, v.image().channels());
        assertArrayEquals(new int[] {100, 100, 1}, v.image().shape());
        // pydicom: arr[r, 50] for r = 5, 15, ..., 95 (also in pydicom's test_rle_pixel_data.py).
        int[][] bars = {{255, 0, 0}, {255, 128, 128}, {0, 255, 0}, {128, 255, 128}, {0, 0, 255}, {128, 128, 255},
                {0, 0, 0}, {64, 64, 64}, {192, 192, 192}, {255, 255, 255}};
        for (int b = 0; b < bars.length; b++) {
            for (int s = 0; s < 3; s++) assertEquals(bars[b][s], stored(v, 0, 0, 5 + 10 * b, 50, s), "bar " + b);
        }
        assertEquals(195374354L, fingerprint(v, 0));
        DicomVolume two = DicomReader.readVolume(testFile("SC_rgb_rle_2frame.dcm"), null);
        assertArrayEquals(new int[] {100, 100, 2}, two.image().shape());
        assertEquals(390104481L, fingerprint(two, 0));
        DicomVolume wide = DicomReader.readVolume(testFile("SC_rgb_rle_16bit.dcm"), null);
        assertEquals("uint16", wide.image().datatype());
        assertEquals(50211208978L, fingerprint(wide, 0));
    }

    @Test
    void jpegLosslessEqualsTheRlePicture() {
        // SC_rgb_jpeg_gdcm.dcm is JPEG Lossless SV1 (1.2.840.10008.1.2.4.70) of the same test picture
        // as SC_rgb_rle.dcm; lossless means identical values.
        DicomVolume jpeg = DicomReader.readVolume(testFile("SC_rgb_jpeg_gdcm.dcm"), null);
        assertTrue(jpeg.transferSyntax().startsWith("1.2.840.10008.1.2.4.70 "));
        DicomVolume rle = DicomReader.readVolume(testFile("SC_rgb_rle.dcm"), null);
        assertArrayEquals(rle.image().data(), jpeg.image().data());
    }

    @Test
    void jpegBaselineRgbWithoutColourTransform() {
        // pydicom's JPEG_MATCHING_DATASETS: SC_jpeg_no_color_transform.dcm decodes to the same array as the
        // uncompressed SC_rgb_jpeg_dcmd.dcm (implicit VR; pydicom fingerprint 2446925482, sum 47966767),
        // with arr[5,50] = arr[15,50] = ... = (244,244,244) and arr[45,50] = (236,237,234).
        DicomVolume jpeg = DicomReader.readVolume(testFile("SC_jpeg_no_color_transform.dcm"), null);
        DicomVolume ref = DicomReader.readVolume(testFile("SC_rgb_jpeg_dcmd.dcm"), null);
        assertEquals(2446925482L, fingerprint(ref, 0));
        assertArrayEquals(ref.image().data(), jpeg.image().data());
        int[][] at = {{5, 244, 244, 244}, {15, 244, 244, 244}, {45, 236, 237, 234}, {95, 244, 244, 244}};
        for (int[] p : at) for (int s = 0; s < 3; s++) assertEquals(p[1 + s], stored(jpeg, 0, 0, p[0], 50, s));
        // The same picture with an Adobe APP14 marker (transform 0): pydicom lists arr[5,50] = (246,246,246),
        // arr[55,50] = (244,244,246).
        DicomVolume app14 = DicomReader.readVolume(testFile("SC_jpeg_no_color_transform_2.dcm"), null);
        int[][] at2 = {{5, 246, 246, 246}, {55, 244, 244, 246}, {95, 246, 246, 246}};
        for (int[] p : at2) for (int s = 0; s < 3; s++) assertEquals(p[1 + s], stored(app14, 0, 0, p[0], 50, s));
    }

    @Test
    void jpegBaselineYbrIsConvertedToRgb() {
        // pydicom's JPEG_MATCHING_DATASETS for SC_rgb_dcmtk_+eb+cy+s4.dcm (YBR_FULL, 4:4:4) after conversion
        // to RGB: arr[5+10b, 50] = the values below. Java's IDCT and colour conversion may differ from
        // libjpeg's by a grey level, so allow 2.
        int[][] bars = {{254, 0, 0}, {255, 127, 127}, {0, 255, 5}, {129, 255, 129}, {0, 0, 254}, {128, 127, 255},
                {0, 0, 0}, {64, 64, 64}, {192, 192, 192}, {255, 255, 255}};
        for (String name : new String[] {"SC_rgb_dcmtk_+eb+cy+s4.dcm", "SC_rgb_dcmtk_+eb+cy+s2.dcm"}) {
            DicomVolume v = DicomReader.readVolume(testFile(name), null);
            assertEquals(3, v.image().channels());
            for (int b = 0; b < bars.length; b++) {
                for (int s = 0; s < 3; s++) {
                    assertEquals(bars[b][s], stored(v, 0, 0, 5 + 10 * b, 50, s), 2.0, name + " bar " + b);
                }
            }
        }
    }

    @Test
    void bigEndianPlanarRgb() {
        DicomVolume v = DicomReader.readVolume(testFile("ExplVR_BigEnd.dcm"), null);
        assertEquals(3, v.image().channels());
        assertArrayEquals(new int[] {80, 60, 1}, v.image().shape());
        // pydicom: (60, 80, 3) uint8, PlanarConfiguration 1; arr[0,0]=(171,171,171), arr[30,40]=(255,255,0).
        assertEquals(126070604L, fingerprint(v, 0));
        int[] rgb = {255, 255, 0};
        for (int s = 0; s < 3; s++) assertEquals(rgb[s], stored(v, 0, 0, 30, 40, s));
    }

    @Test
    void oneBitSegmentationInBothByteOrders() {
        for (String name : new String[] {"liver_1frame.dcm", "liver_expb_1frame.dcm"}) {
            DicomVolume v = DicomReader.readVolume(testFile(name), null);
            assertEquals("bit", v.image().datatype());
            // pydicom: 512x512 values 0/1, sum 36233; first set pixel (row 145, col 254).
            assertEquals(36233, sum(v.image()), 1e-3, name);
            assertEquals(1850377L, fingerprint(v, 0), name);
            assertEquals(1, stored(v, 0, 0, 145, 254, 0));
        }
    }

    @Test
    void rawDataSetsWithoutPreambleOrMeta() throws IOException {
        DicomVolume ref = DicomReader.readVolume(testFile("MR_small.dcm"), null);
        Path tmp = Files.createTempDirectory("dicom-raw");
        try {
            for (String name : new String[] {"MR_small_implicit.dcm", "MR_small.dcm"}) {
                byte[] b = Files.readAllBytes(testFile(name));
                // The meta group length (0002,0000) UL sits right after "DICM": its value says where the data set starts.
                int start = 132 + 12 + (int) DicomParser.le32(b, 140);
                Path raw = tmp.resolve("raw-" + name);
                Files.write(raw, Arrays.copyOfRange(b, start, b.length));
                assertTrue(DicomReader.looksLikeDicom(Arrays.copyOf(Files.readAllBytes(raw), 1024)), name);
                assertArrayEquals(ref.image().data(), DicomReader.read(raw).data(), name);
            }
        } finally {
            try (var s = Files.list(tmp)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(tmp);
        }
    }

    @Test
    void nonImageDicomIsRefusedByName() {
        Path sr = testFile("test-SR.dcm");
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(sr));
        assertTrue(e.getMessage().startsWith(sr + ": DICOM file has no pixel data"), e.getMessage());
    }

    @Test
    void twelveBitJpegIsDecodedOrRefusedClearly() {
        // JPEG extended 12-bit (1.2.840.10008.1.2.4.51): javax.imageio cannot decode 12-bit DCT; the reader
        // must then say so with the file name instead of leaking an IIOException.
        Path f = testFile("JPGExtended.dcm");
        try {
            Image im = DicomReader.read(f);
            assertArrayEquals(new int[] {256, 1024, 1}, im.shape());
        } catch (CoverException e) {
            assertTrue(e.getMessage().startsWith(f + ": compressed DICOM (TransferSyntax 1.2.840.10008.1.2.4.51"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("convert with dcm2niix"), e.getMessage());
        }
    }
}
