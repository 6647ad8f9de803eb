package org.cover4j.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 2D pictures: exact gray values, Pillow's luma for colour, float and multi-page TIFF, PNG writers, JSRT. */
class RasterTest {
    @TempDir
    Path dir;

    private static Image gray(int rows, int cols, int max, long seed) {
        return NiftiRoundTripTest.volume(new int[]{rows, cols}, Image.scaledIdentity(new double[]{1, 1}), "uint16", 0, max, true, seed);
    }

    @Test
    void png8And16BitRoundTripExactly() {
        Image g8 = gray(13, 17, 255, 1);
        RasterWriter.writeGray8(dir.resolve("g8.png"), g8);
        Image back8 = MedicalImages.read(dir.resolve("g8.png"));
        assertArrayEquals(new int[]{13, 17}, back8.shape());
        assertArrayEquals(g8.data(), back8.data());
        assertEquals("uint8", back8.datatype());

        Image g16 = gray(9, 11, 65535, 2);
        MedicalImages.write(dir.resolve("g16.png"), g16); // values above 255 -> 16-bit automatically
        Image back16 = RasterReader.read(dir.resolve("g16.png"));
        assertArrayEquals(g16.data(), back16.data());
        assertEquals("uint16", back16.datatype());
    }

    @Test
    void rgbIsPillowLumaOrThreeChannels() {
        // Pixels (R,G,B): Pillow's convert("L") = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16, i.e.
        // round(0.299 R + 0.587 G + 0.114 B): (255,0,0) -> 76, (0,255,0) -> 150, (0,0,255) -> 29,
        // (10,200,30) -> 124 (0.299*10 + 0.587*200 + 0.114*30 = 123.81; fixed point 8146848 >> 16 = 124).
        float[] rgb = {255, 0, 0, 10, 0, 255, 0, 200, 0, 0, 255, 30};
        Image img = new Image(rgb, 3, new int[]{1, 4}, new double[]{1, 1}, null, "memory", "uint8");
        RasterWriter.writeRgb(dir.resolve("rgb.png"), img);
        Image channels = RasterReader.read(dir.resolve("rgb.png"), RasterReader.Color.CHANNELS);
        assertEquals(3, channels.channels());
        assertArrayEquals(rgb, channels.data());
        Image luma = RasterReader.read(dir.resolve("rgb.png"));
        assertEquals(1, luma.channels());
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) {
            double l = 0.299 * rgb[i] + 0.587 * rgb[4 + i] + 0.114 * rgb[8 + i];
            expected[i] = Math.round(l);
        }
        assertArrayEquals(new float[]{76, 150, 29, 124}, expected);
        assertArrayEquals(expected, luma.data());
    }

    @Test
    void grayPaletteReadsAsItsGrayValues() throws IOException {
        byte[] ramp = new byte[256];
        for (int i = 0; i < 256; i++) ramp[i] = (byte) (255 - i); // index i shows gray 255 - i
        IndexColorModel icm = new IndexColorModel(8, 256, ramp, ramp, ramp);
        BufferedImage bi = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_INDEXED, icm);
        int[] idx = {0, 1, 2, 3, 100, 101, 102, 103, 252, 253, 254, 255};
        bi.getRaster().setSamples(0, 0, 4, 3, 0, idx);
        ImageIO.write(bi, "png", dir.resolve("pal.png").toFile());
        Image img = MedicalImages.read(dir.resolve("pal.png"));
        for (int i = 0; i < idx.length; i++) assertEquals(255 - idx[i], img.data()[i], 0f);
    }

    private static ImageWriter jdkTiffWriter() {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("tiff");
        while (it.hasNext()) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.imageio.plugins.tiff")) return w;
        }
        throw new AssertionError("the JDK TIFF writer is missing");
    }

    private static BufferedImage floatImage(int w, int h, float[] values) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        WritableRaster r = cm.createCompatibleWritableRaster(w, h);
        r.setSamples(0, 0, w, h, 0, values);
        return new BufferedImage(cm, r, false, null);
    }

    private static void writeTiff(Path file, BufferedImage... pages) throws IOException {
        ImageWriter writer = jdkTiffWriter();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (BufferedImage p : pages) writer.writeToSequence(new IIOImage(p, null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    @Test
    void floatTiffIsReadExactlyIncludingNegativeAndHugeValues() throws IOException {
        float[] v = {-1234.5f, 0.125f, 3.4e38f, -7e-8f, 65536.75f, 1e6f};
        writeTiff(dir.resolve("f.tif"), floatImage(3, 2, v));
        Image img = MedicalImages.read(dir.resolve("f.tif"));
        assertArrayEquals(new int[]{2, 3}, img.shape());
        assertEquals("float32", img.datatype());
        assertArrayEquals(v, img.data());
    }

    @Test
    void multiPageTiffBecomesAStack() throws IOException {
        BufferedImage[] pages = new BufferedImage[3];
        for (int p = 0; p < 3; p++) {
            float[] v = new float[8];
            for (int i = 0; i < 8; i++) v[i] = 100 * p + i;
            pages[p] = floatImage(4, 2, v);
        }
        writeTiff(dir.resolve("stack.tiff"), pages);
        Image img = MedicalImages.read(dir.resolve("stack.tiff"));
        assertArrayEquals(new int[]{3, 2, 4}, img.shape());
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < 8; i++) assertEquals(100 * p + i, img.data()[p * 8 + i], 0f);
        }
    }

    @Test
    void jpegBmpAndGifAreReadByContent() throws IOException {
        BufferedImage bi = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
        int[] v = new int[128];
        for (int i = 0; i < v.length; i++) v[i] = 100; // flat: JPEG reproduces it exactly
        bi.getRaster().setSamples(0, 0, 16, 8, 0, v);
        for (String fmt : new String[]{"jpeg", "bmp", "gif"}) {
            Path f = dir.resolve("img-" + fmt + ".data"); // an extension that says nothing
            assertTrue(ImageIO.write(bi, fmt, f.toFile()), fmt);
            Image img = MedicalImages.read(f);
            assertArrayEquals(new int[]{8, 16}, img.shape(), fmt);
            assertEquals(fmt, img.format());
            for (float x : img.data()) assertEquals(100, x, 1.0, fmt);
        }
    }

    @Test
    void jsrtRawImageByNameAndSize() throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) JsrtReader.FILE_BYTES).order(ByteOrder.BIG_ENDIAN);
        for (int y = 0; y < 2048; y++) {
            for (int x = 0; x < 2048; x++) b.putShort((short) ((3 * x + 5 * y) % 4096));
        }
        Path f = dir.resolve("JPCLN001.IMG");
        Files.write(f, b.array());
        Image img = MedicalImages.read(f);
        assertEquals("jsrt", img.format());
        assertArrayEquals(new int[]{2048, 2048}, img.shape());
        assertArrayEquals(new double[]{0.175, 0.175}, img.spacing());
        for (int[] p : new int[][]{{0, 0}, {7, 1}, {2047, 2047}, {1000, 1500}}) {
            assertEquals((3 * p[1] + 5 * p[0]) % 4096, img.data()[p[0] * 2048 + p[1]], 0f);
        }
    }
}
