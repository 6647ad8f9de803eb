package org.cover4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MetaImage variants written by hand (byte order, compression, data files, channels, types) and round trips. */
class MetaImageTest {
    @TempDir
    Path dir;

    /** Values f(x,y,z) = 100x + 10y + z of a (3,2,2) volume in file order (x fastest). */
    private static double[] fileOrder() {
        double[] v = new double[12];
        for (int z = 0; z < 2; z++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) v[x + 3 * y + 6 * z] = 100 * x + 10 * y + z;
            }
        }
        return v;
    }

    private static void assertXyz(Image img, double scale) {
        assertArrayEquals(new int[]{3, 2, 2}, img.shape());
        for (int x = 0; x < 3; x++) {
            for (int y = 0; y < 2; y++) {
                for (int z = 0; z < 2; z++) {
                    assertEquals((float) (scale * (100 * x + 10 * y + z)), img.data()[(x * 2 + y) * 2 + z], 0f);
                }
            }
        }
    }

    private static byte[] encode(double[] v, SampleType t, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(v.length * t.bytes()).order(order);
        for (double x : v) {
            switch (t) {
                case UINT8, INT8 -> b.put((byte) x);
                case INT16, UINT16 -> b.putShort((short) x);
                case INT32, UINT32 -> b.putInt((int) x);
                case INT64, UINT64 -> b.putLong((long) x);
                case FLOAT32 -> b.putFloat((float) x);
                case FLOAT64 -> b.putDouble(x);
                default -> throw new IllegalArgumentException();
            }
        }
        return b.array();
    }

    private static byte[] concat(String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static String header(String type, String extra, String dataFile) {
        return "ObjectType = Image\nNDims = 3\nDimSize = 3 2 2\n" + extra + "ElementType = " + type + "\nElementDataFile = " + dataFile + "\n";
    }

    @Test
    void everyElementTypeInBothByteOrders() throws IOException {
        Object[][] types = {{"MET_UCHAR", SampleType.UINT8}, {"MET_CHAR", SampleType.INT8}, {"MET_SHORT", SampleType.INT16},
                {"MET_USHORT", SampleType.UINT16}, {"MET_INT", SampleType.INT32}, {"MET_UINT", SampleType.UINT32},
                {"MET_LONG", SampleType.INT32}, {"MET_ULONG", SampleType.UINT32}, {"MET_LONG_LONG", SampleType.INT64},
                {"MET_ULONG_LONG", SampleType.UINT64}, {"MET_FLOAT", SampleType.FLOAT32}, {"MET_DOUBLE", SampleType.FLOAT64}};
        for (Object[] t : types) {
            SampleType st = (SampleType) t[1];
            double scale = st == SampleType.UINT8 || st == SampleType.INT8 ? 0.5 : 3; // int8 holds at most 127
            double[] v = fileOrder();
            for (int i = 0; i < v.length; i++) v[i] *= scale;
            for (boolean msb : new boolean[]{false, true}) {
                String key = msb ? "ElementByteOrderMSB = True\n" : "BinaryDataByteOrderMSB = False\n";
                Path f = dir.resolve(t[0] + "-" + msb + ".mha");
                Files.write(f, concat(header((String) t[0], key, "LOCAL"), encode(v, st, msb ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)));
                Image img = MetaImageReader.read(f);
                if (scale == 0.5) {
                    // 0.5 * odd values were truncated to integers by the byte encoding: compare with that.
                    for (int x = 0; x < 3; x++) {
                        for (int y = 0; y < 2; y++) {
                            for (int z = 0; z < 2; z++) {
                                assertEquals((float) (long) (0.5 * (100 * x + 10 * y + z)), img.data()[(x * 2 + y) * 2 + z], 0f);
                            }
                        }
                    }
                } else {
                    assertXyz(img, scale);
                }
                assertEquals(st.label(), img.datatype());
            }
        }
    }

    @Test
    void separateRawGzipAndZlibCompressedData() throws IOException {
        byte[] raw = encode(fileOrder(), SampleType.INT16, ByteOrder.LITTLE_ENDIAN);
        Files.write(dir.resolve("v.raw"), raw);
        Files.writeString(dir.resolve("v.mhd"), header("MET_SHORT", "", "v.raw"));
        assertXyz(MedicalImages.read(dir.resolve("v.mhd")), 1);

        Files.write(dir.resolve("g.raw.gz"), NiftiBytes.gzip(raw));
        Files.writeString(dir.resolve("g.mhd"), header("MET_SHORT", "", "g.raw.gz"));
        assertXyz(MedicalImages.read(dir.resolve("g.mhd")), 1);

        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(raw);
        }
        String h = header("MET_SHORT", "CompressedData = True\nCompressedDataSize = " + z.size() + "\n", "LOCAL");
        Files.write(dir.resolve("z.mha"), concat(h, z.toByteArray()));
        assertXyz(MedicalImages.read(dir.resolve("z.mha")), 1);

        // HeaderSize = -1: the voxels are the last bytes of the data file, after any junk.
        byte[] junk = new byte[37 + raw.length];
        System.arraycopy(raw, 0, junk, 37, raw.length);
        Files.write(dir.resolve("tail.raw"), junk);
        Files.writeString(dir.resolve("tail.mhd"), header("MET_SHORT", "HeaderSize = -1\n", "tail.raw"));
        assertXyz(MedicalImages.read(dir.resolve("tail.mhd")), 1);
        Files.writeString(dir.resolve("skip.mhd"), header("MET_SHORT", "HeaderSize = 37\n", "tail.raw"));
        assertXyz(MedicalImages.read(dir.resolve("skip.mhd")), 1);
    }

    @Test
    void channelsAreInterleavedPerVoxel() throws IOException {
        // 2x2 image, 3 channels, file order (x fastest), channel value = 10 * voxel + c.
        double[] v = new double[12];
        for (int vox = 0; vox < 4; vox++) {
            for (int c = 0; c < 3; c++) v[vox * 3 + c] = 10 * vox + c;
        }
        String h = "NDims = 2\nDimSize = 2 2\nElementNumberOfChannels = 3\nElementType = MET_UCHAR_ARRAY\nElementDataFile = LOCAL\n";
        Files.write(dir.resolve("c.mha"), concat(h, encode(v, SampleType.UINT8, ByteOrder.LITTLE_ENDIAN)));
        Image img = MetaImageReader.read(dir.resolve("c.mha"));
        assertEquals(3, img.channels());
        for (int c = 0; c < 3; c++) {
            for (int x = 0; x < 2; x++) {
                for (int y = 0; y < 2; y++) assertEquals(10 * (x + 2 * y) + c, img.data()[c * 4 + x * 2 + y], 0f);
            }
        }
    }

    @Test
    void geometryIsConvertedFromLpsToRas() throws IOException {
        // Direction columns (axis x = (0,1,0), axis y = (-1,0,0), axis z = (0,0,1)), spacing (2,3,4),
        // offset (10,20,30) in LPS. LPS affine = [[0,-3,0,10],[2,0,0,20],[0,0,4,30]]; RAS negates rows 0 and 1.
        String extra = "TransformMatrix = 0 1 0 -1 0 0 0 0 1\nOffset = 10 20 30\nElementSpacing = 2 3 4\n";
        Files.write(dir.resolve("geo.mha"), concat(header("MET_FLOAT", extra, "LOCAL"), encode(fileOrder(), SampleType.FLOAT32, ByteOrder.LITTLE_ENDIAN)));
        Image img = MetaImageReader.read(dir.resolve("geo.mha"));
        NiftiReaderTest.assertAffine(new double[][]{{0, 3, 0, -10}, {-2, 0, 0, -20}, {0, 0, 4, 30}, {0, 0, 0, 1}}, img.affine(), 0);
        assertArrayEquals(new double[]{2, 3, 4}, img.spacing());
    }

    @Test
    void writtenFilesReadBackWithTheSameVoxelsAndGeometry() throws IOException {
        double[][] affine = NiftiRoundTripTest.obliqueAffine(true);
        Image vol = NiftiRoundTripTest.volume(new int[]{5, 4, 3}, affine, "float32", -10, 10, false, 23);
        for (String name : new String[]{"w.mha", "w.mhd"}) {
            Path f = dir.resolve(name);
            MedicalImages.write(f, vol);
            Image back = MedicalImages.read(f);
            assertArrayEquals(vol.shape(), back.shape());
            assertArrayEquals(vol.data(), back.data());
            NiftiReaderTest.assertAffine(affine, back.affine(), 1e-12);
        }
        assertTrue(Files.isRegularFile(dir.resolve("w.raw")));
        // Integer images keep their type; 2D and multi-channel images round-trip too.
        Image u8 = NiftiRoundTripTest.volume(new int[]{6, 7}, Image.scaledIdentity(new double[]{0.5, 0.25}), "uint8", 0, 255, true, 29);
        MetaImageWriter.write(dir.resolve("u8.mha"), u8);
        Image u8back = MetaImageReader.read(dir.resolve("u8.mha"));
        assertEquals("uint8", u8back.datatype());
        assertArrayEquals(u8.data(), u8back.data());
        NiftiReaderTest.assertAffine(u8.affine(), u8back.affine(), 1e-12);
        Image rgb = new Image(NiftiRoundTripTest.volume(new int[]{3, 4, 5}, affine, "float32", 0, 1, false, 31).data(), 3,
                new int[]{4, 5}, new double[]{1, 1}, null, "memory", "float32");
        MetaImageWriter.write(dir.resolve("rgb.mhd"), rgb);
        Image rgbBack = MetaImageReader.read(dir.resolve("rgb.mhd"));
        assertEquals(3, rgbBack.channels());
        assertArrayEquals(rgb.data(), rgbBack.data());
    }
}
