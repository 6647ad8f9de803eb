package org.cover4j.io;

import org.cover4j.io.DicomFilesForTest.Slice;
import org.cover4j.io.DicomFilesForTest.Writer;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.cover4j.io.DicomFilesForTest.AXIAL;
import static org.cover4j.io.DicomFilesForTest.EXPLICIT_LE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Broken and hostile DICOM input: every case must end in a {@link CoverException} whose message starts
 * with the offending path, before any large allocation; a fuzz run checks that nothing else escapes.
 */
class DicomBrokenTest {
    @TempDir
    Path dir;

    static final int UNDEFINED = -1;

    Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static CoverException refused(Path p) {
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        return e;
    }

    static byte[] goodSlice() {
        short[] v = new short[12];
        for (int i = 0; i < v.length; i++) v[i] = (short) (i * 7 - 20);
        return DicomFilesForTest.slice(new Slice("1.2", 1, new double[] {0, 0, 0}, AXIAL, 3, 4, 1, 0), v);
    }

    /** Image attributes up to (not including) the pixel data, with free Rows/Columns/frames. */
    static Writer imageHeader(int rows, int cols, int frames, int bits) {
        Writer w = new Writer(true);
        w.str(DicomTags.SOP_CLASS, "UI", "1.2.840.10008.5.1.4.1.1.7");
        w.us(DicomTags.SAMPLES_PER_PIXEL, 1).str(DicomTags.PHOTOMETRIC, "CS", "MONOCHROME2");
        if (frames > 1) w.str(DicomTags.NUMBER_OF_FRAMES, "IS", Integer.toString(frames));
        w.us(DicomTags.ROWS, rows).us(DicomTags.COLUMNS, cols);
        w.us(DicomTags.BITS_ALLOCATED, bits).us(DicomTags.BITS_STORED, bits).us(DicomTags.HIGH_BIT, bits - 1)
                .us(DicomTags.PIXEL_REPRESENTATION, 0);
        return w;
    }

    @Test
    void goodSliceReads() throws IOException {
        Image im = DicomReader.read(write("good.dcm", goodSlice()));
        assertEquals(11 * 7 - 20, im.data()[(3 * 3 + 2) * 1], 0);  // column 3, row 2
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        byte[] b = goodSlice();
        // Inside the preamble, inside the meta group, inside an element header, inside a value, inside the pixels.
        for (int len : new int[] {100, 140, 200, 260, b.length - 30, b.length - 1}) {
            Path p = write("cut" + len + ".dcm", Arrays.copyOf(b, len));
            refused(p);
        }
        CoverException e = refused(write("cutpx.dcm", Arrays.copyOf(b, b.length - 2)));
        assertTrue(e.getMessage().contains("(7FE0,0010)") && e.getMessage().contains("has length 24 but only 22"), e.getMessage());
    }

    @Test
    void elementLengthBeyondTheEndIsRefused() throws IOException {
        Writer w = imageHeader(2, 2, 1, 8);
        w.header(0x0009_0010, "LO", 1000).bytes("short".getBytes());
        CoverException e = refused(write("len.dcm", DicomFilesForTest.part10(EXPLICIT_LE, w.toBytes())));
        assertTrue(e.getMessage().contains("(0009,0010)") && e.getMessage().contains("has length 1000"), e.getMessage());
    }

    @Test
    void pixelDataShorterThanTheImageIsRefused() throws IOException {
        Writer w = imageHeader(30, 40, 2, 16);
        w.raw(DicomTags.PIXEL_DATA, "OW", new byte[24]);
        CoverException e = refused(write("short.dcm", DicomFilesForTest.part10(EXPLICIT_LE, w.toBytes())));
        assertTrue(e.getMessage().contains("pixel data has 24 bytes") && e.getMessage().contains("needs 4800"), e.getMessage());
    }

    @Test
    void absurdDimensionsAreRefusedBeforeAllocating() throws IOException {
        Writer w = imageHeader(65535, 65535, 100000, 16);
        w.raw(DicomTags.PIXEL_DATA, "OW", new byte[16]);
        CoverException e = refused(write("huge.dcm", DicomFilesForTest.part10(EXPLICIT_LE, w.toBytes())));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        // Below the array limit (1.6e9 voxels) but far beyond the bytes present: refused by the length check.
        Writer w2 = imageHeader(40000, 40000, 1, 8);
        w2.raw(DicomTags.PIXEL_DATA, "OB", new byte[16]);
        e = refused(write("big.dcm", DicomFilesForTest.part10(EXPLICIT_LE, w2.toBytes())));
        assertTrue(e.getMessage().contains("needs 1600000000"), e.getMessage());
        // The same with RLE: every segment must be able to expand to Rows x Columns bytes.
        Writer w3 = imageHeader(40000, 40000, 1, 8);
        byte[] rle = new byte[80];
        rle[0] = 1;
        rle[4] = 64;
        w3.header(DicomTags.PIXEL_DATA, "OB", 0xFFFF_FFFFL).item(DicomTags.ITEM, 0).item(DicomTags.ITEM, rle.length)
                .bytes(rle).item(DicomTags.SEQUENCE_DELIMITER, 0);
        e = refused(write("bigrle.dcm", DicomFilesForTest.part10("1.2.840.10008.1.2.5", w3.toBytes())));
        assertTrue(e.getMessage().contains("too few for 1600000000 pixels"), e.getMessage());
    }

    @Test
    void sequencesThatNeverEndAreRefused() throws IOException {
        Writer w = new Writer(true);
        w.str(DicomTags.SOP_CLASS, "UI", "1.2.3");
        w.header(0x0008_1140, "SQ", 0xFFFF_FFFFL).item(DicomTags.ITEM, 0xFFFF_FFFFL);
        w.str(0x0008_1150, "UI", "1.2.3").str(0x0008_1155, "UI", "4.5.6");  // no item or sequence delimiter
        CoverException e = refused(write("open.dcm", DicomFilesForTest.part10(EXPLICIT_LE, w.toBytes())));
        assertTrue(e.getMessage().contains("never ends"), e.getMessage());

        Writer deep = new Writer(true);
        for (int i = 0; i < 200; i++) deep.header(0x0040_A730, "SQ", 0xFFFF_FFFFL).item(DicomTags.ITEM, 0xFFFF_FFFFL);
        e = refused(write("deep.dcm", DicomFilesForTest.part10(EXPLICIT_LE, deep.toBytes())));
        assertTrue(e.getMessage().contains("nested deeper than 32"), e.getMessage());

        Writer frag = imageHeader(8, 8, 1, 8);
        frag.header(DicomTags.PIXEL_DATA, "OB", 0xFFFF_FFFFL).item(DicomTags.ITEM, 0).item(DicomTags.ITEM, 4).bytes(new byte[4]);
        e = refused(write("frag.dcm", DicomFilesForTest.part10(DicomFilesForTest.JPEG_BASELINE, frag.toBytes())));
        assertTrue(e.getMessage().contains("never ends"), e.getMessage());
    }

    @Test
    void foldersWithoutImagesAreRefused() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        CoverException e = assertThrows(CoverException.class, () -> DicomReader.read(empty));
        assertEquals(empty + ": folder is empty; expected DICOM files of one series", e.getMessage());
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(other.resolve("a.txt"), "hello");
        Files.write(other.resolve("b.bin"), new byte[300]);
        e = assertThrows(CoverException.class, () -> DicomReader.read(other));
        assertTrue(e.getMessage().startsWith(other + ": folder holds no DICOM images (2 files: 2 not DICOM"), e.getMessage());
    }

    @Test
    void looksLikeDicomRejectsOtherFormats() throws IOException {
        assertTrue(DicomReader.looksLikeDicom(goodSlice()));
        byte[] nifti = new byte[352];
        nifti[0] = 0x5C;
        nifti[1] = 0x01;  // sizeof_hdr = 348
        assertFalse(DicomReader.looksLikeDicom(nifti));
        assertFalse(DicomReader.looksLikeDicom(new byte[1024]));
        assertFalse(DicomReader.looksLikeDicom("ObjectType = Image\nNDims = 3\n".getBytes()));
        assertFalse(DicomReader.looksLikeDicom(new byte[] {8, 0}));
        // Group 0008 followed by an absurd implicit length is not DICOM.
        assertFalse(DicomReader.looksLikeDicom(new byte[] {8, 0, 5, 0, 0, 0, 0, 0x7F, 1, 2, 3, 4}));
        Path txt = write("notes.dcm", "not really DICOM".repeat(20).getBytes());
        CoverException e = refused(txt);
        assertTrue(e.getMessage().contains("not a DICOM file"), e.getMessage());
    }

    /** An 8x8 grey JPEG baseline stream from javax.imageio. */
    static byte[] jpeg(int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) img.getRaster().setSample(x, y, 0, 120);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "jpeg", out));
        return out.toByteArray();
    }

    static byte[] encapsulated(int rows, int cols, byte[] stream) {
        Writer w = imageHeader(rows, cols, 1, 8);
        byte[] even = stream.length % 2 == 0 ? stream : Arrays.copyOf(stream, stream.length + 1);
        w.header(DicomTags.PIXEL_DATA, "OB", 0xFFFF_FFFFL).item(DicomTags.ITEM, 0).item(DicomTags.ITEM, even.length)
                .bytes(even).item(DicomTags.SEQUENCE_DELIMITER, 0);
        return DicomFilesForTest.part10(DicomFilesForTest.JPEG_BASELINE, w.toBytes());
    }

    @Test
    void jpegFramesMustMatchTheHeader() throws IOException {
        // A constant grey picture survives baseline JPEG exactly (only the DC coefficient is non-zero).
        Image ok = DicomReader.read(write("ok.dcm", encapsulated(8, 16, jpeg(16, 8))));
        assertArrayEquals(new int[] {16, 8, 1}, ok.shape());
        for (float v : ok.data()) assertEquals(120, v, 0);
        CoverException e = refused(write("mismatch.dcm", encapsulated(64, 64, jpeg(16, 8))));
        assertTrue(e.getMessage().contains("is a JPEG of 16 x 8"), e.getMessage());
        byte[] garbage = jpeg(16, 8);
        Arrays.fill(garbage, garbage.length / 2, garbage.length, (byte) 0x5A);
        refused(write("garbage.dcm", encapsulated(8, 16, garbage)));
    }

    /**
     * A deflated data set must be read to the end of its deflate stream: a stream cut short is refused, and so
     * is any flipped byte of a zlib-wrapped one (some writers add the wrapper; its Adler-32 then covers the data).
     * Raw deflate, the standard's form, carries no checksum, so a flip inside it cannot always be seen.
     */
    @Test
    void deflatedDataSetsThatAreCutOrCorruptAreRefused() throws IOException {
        byte[] plain = goodSlice();
        int groupLength = java.nio.ByteBuffer.wrap(plain, 140, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        byte[] dataset = Arrays.copyOfRange(plain, 144 + groupLength, plain.length);
        for (boolean zlib : new boolean[] {false, true}) {
            java.util.zip.Deflater deflater = new java.util.zip.Deflater(6, !zlib);
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (java.util.zip.DeflaterOutputStream out = new java.util.zip.DeflaterOutputStream(z, deflater)) {
                out.write(dataset);
            }
            deflater.end();
            byte[] file = DicomFilesForTest.part10(DicomTransferSyntax.DEFLATED_LE.uid, z.toByteArray());
            int start = file.length - z.size();
            Image im = DicomReader.read(write("dfl.dcm", file));
            assertEquals(11 * 7 - 20, im.data()[3 * 3 + 2], 0);
            for (int cut = 1; cut <= 6; cut++) refused(write("dfl-cut.dcm", Arrays.copyOf(file, file.length - cut)));
            if (!zlib) continue;
            for (int i = start; i < file.length; i++) {
                byte[] bad = file.clone();
                bad[i] ^= (byte) 0xff;
                refused(write("dfl-flip.dcm", bad));
            }
        }
    }

    @Test
    void fuzzedFilesFailOnlyWithCoverException() throws IOException {
        Path ct = DebianData.file("python3-pydicom", "usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm")
                .orElse(null);
        byte[] base = ct != null ? Files.readAllBytes(ct) : goodSlice();
        // Most mutations go to the header, where structure lives; the pixel data starts near the end.
        int headerEnd = Math.max(200, base.length - (ct != null ? 128 * 128 * 2 : 24) + 16);
        Rng rng = new Rng(20240611);
        Path p = dir.resolve("fuzz.dcm");
        int ok = 0, refused = 0;
        for (int n = 0; n < 1000; n++) {
            byte[] b = base.clone();
            String what;
            int kind = rng.randint(0, 5);
            int at = rng.randint(0, headerEnd - 4);
            switch (kind) {
                case 0 -> {
                    int count = rng.randint(1, 5);
                    for (int i = 0; i < count; i++) b[rng.randint(0, headerEnd)] = (byte) rng.randint(0, 256);
                    what = count + " random bytes";
                }
                case 1 -> {
                    long[] values = {0, 0xFFFF_FFFFL, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF, 1, 0xFFFE_E000L, 0xE0DD_FFFEL};
                    long v = values[rng.randint(0, values.length)];
                    for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
                    what = "u32 " + Long.toHexString(v) + " at " + at;
                }
                case 2 -> {
                    b = Arrays.copyOf(b, rng.randint(0, b.length));
                    what = "truncated to " + b.length;
                }
                case 3 -> {
                    int v = rng.randint(0, 65536);
                    b[at] = (byte) v;
                    b[at + 1] = (byte) (v >>> 8);
                    what = "u16 " + v + " at " + at;
                }
                default -> {
                    int i = rng.randint(0, b.length);
                    b[i] ^= (byte) (1 << rng.randint(0, 8));
                    what = "bit flip at " + i;
                }
            }
            Files.write(p, b);
            try {
                DicomReader.read(p);
                ok++;
            } catch (CoverException e) {
                assertTrue(e.getMessage().startsWith(p + ": "), "mutation " + n + " (" + what + "): " + e.getMessage());
                refused++;
            } catch (Throwable t) {
                fail("mutation " + n + " (" + what + ") escaped as " + t, t);
            }
        }
        // Both outcomes must occur, or the mutations are not exercising anything.
        assertTrue(ok > 50 && refused > 50, "read " + ok + ", refused " + refused);
    }
}
