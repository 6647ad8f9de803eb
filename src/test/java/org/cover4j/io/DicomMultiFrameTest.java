package org.cover4j.io;

import org.cover4j.io.DicomFilesForTest.Writer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Enhanced multi-frame objects (geometry and rescale in functional-group sequences) and sequences the
 * reader must walk without knowing them, built in the test so that expected values hold by construction.
 */
class DicomMultiFrameTest {
    @TempDir
    Path dir;

    static final int ROWS = 2, COLS = 3;
    /** Frame f lies at z = Z[f]: file order is not slice order. */
    static final double[] Z = {4, 0, 2};
    static final double[] SLOPE = {1, 2, 3}, INTERCEPT = {0, 10, 20};

    static int stored(int f, int r, int c) {
        return 100 * f + 10 * r + c;
    }

    static byte[] item(Writer w) {
        return w.toBytes();
    }

    /** Implicit VR little endian (explicit == false) or explicit, with private sequences around. */
    static byte[] enhanced(boolean explicit) {
        Writer top = new Writer(explicit);
        top.str(DicomTags.SOP_CLASS, "UI", "1.2.840.10008.5.1.4.1.1.4.1").str(DicomTags.MODALITY, "CS", "MR");
        top.str(DicomTags.SERIES_UID, "UI", "1.2.3.4");
        top.us(DicomTags.SAMPLES_PER_PIXEL, 1).str(DicomTags.PHOTOMETRIC, "CS", "MONOCHROME2");
        top.str(DicomTags.NUMBER_OF_FRAMES, "IS", "3");
        top.us(DicomTags.ROWS, ROWS).us(DicomTags.COLUMNS, COLS);
        top.us(DicomTags.BITS_ALLOCATED, 16).us(DicomTags.BITS_STORED, 12).us(DicomTags.HIGH_BIT, 11)
                .us(DicomTags.PIXEL_REPRESENTATION, 0);
        // Private sequences the reader does not know: one of undefined length, one of defined length
        // (recognised in implicit VR by its first item tag), each holding a nested sequence.
        top.str(0x0029_0010, "LO", "COVER4J TEST");
        byte[] inner = item(new Writer(explicit).str(0x0008_0100, "SH", "X").str(0x0008_0104, "LO", "nested"));
        byte[] withNested = item(new Writer(explicit).sequence(0x0040_A730, "SQ", true, inner, inner));
        top.sequence(0x0029_1010, "SQ", true, withNested);
        top.sequence(0x0029_1020, "SQ", false, withNested, inner);

        byte[] orientation = item(new Writer(explicit).ds(DicomTags.IMAGE_ORIENTATION, 1, 0, 0, 0, 1, 0));
        byte[] measures = item(new Writer(explicit).ds(DicomTags.SLICE_THICKNESS, 1.0).ds(DicomTags.PIXEL_SPACING, 0.4, 0.6));
        byte[] shared = item(new Writer(explicit).sequence(DicomTags.PLANE_ORIENTATION_SEQ, "SQ", false, orientation)
                .sequence(DicomTags.PIXEL_MEASURES_SEQ, "SQ", true, measures));
        top.sequence(DicomTags.SHARED_GROUPS_SEQ, "SQ", false, shared);
        byte[][] frames = new byte[3][];
        for (int f = 0; f < 3; f++) {
            byte[] pos = item(new Writer(explicit).ds(DicomTags.IMAGE_POSITION, -7, 9, Z[f]));
            byte[] rescale = item(new Writer(explicit).ds(DicomTags.RESCALE_INTERCEPT, INTERCEPT[f])
                    .ds(DicomTags.RESCALE_SLOPE, SLOPE[f]));
            frames[f] = item(new Writer(explicit).sequence(DicomTags.PLANE_POSITION_SEQ, "SQ", f == 1, pos)
                    .sequence(DicomTags.PIXEL_VALUE_TRANSFORM_SEQ, "SQ", f != 1, rescale));
        }
        top.sequence(DicomTags.PER_FRAME_GROUPS_SEQ, "SQ", true, frames);
        ByteBuffer px = ByteBuffer.allocate(3 * ROWS * COLS * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int f = 0; f < 3; f++)
            for (int r = 0; r < ROWS; r++)
                for (int c = 0; c < COLS; c++) px.putShort((short) (stored(f, r, c) | 0xF000));  // junk above BitsStored
        top.raw(DicomTags.PIXEL_DATA, "OW", px.array());
        return DicomFilesForTest.part10(explicit ? DicomFilesForTest.EXPLICIT_LE : DicomFilesForTest.IMPLICIT_LE,
                top.toBytes());
    }

    @Test
    void enhancedMultiFrameIsSortedAndRescaledPerFrame() throws IOException {
        for (boolean explicit : new boolean[] {false, true}) {
            Path p = dir.resolve("enhanced" + explicit + ".dcm");
            Files.write(p, enhanced(explicit));
            DicomVolume v = DicomReader.readVolume(p, null);
            Image im = v.image();
            assertArrayEquals(new int[] {COLS, ROWS, 3}, im.shape());
            assertEquals("uint16", im.datatype());
            // Slice order by z: frame 1 (z 0), frame 2 (z 2), frame 0 (z 4).
            int[] frameOfSlice = {1, 2, 0};
            for (int k = 0; k < 3; k++) {
                int f = frameOfSlice[k];
                for (int r = 0; r < ROWS; r++)
                    for (int c = 0; c < COLS; c++) {
                        double want = stored(f, r, c) * SLOPE[f] + INTERCEPT[f];
                        assertEquals(want, im.data()[(c * ROWS + r) * 3 + k], 0, "explicit " + explicit + " slice " + k);
                    }
            }
            assertArrayEquals(new double[] {0.6, 0.4, 2}, im.spacing(), 1e-9);
            double[][] expected = {{-0.6, 0, 0, 7}, {0, -0.4, 0, -9}, {0, 0, 2, 0}, {0, 0, 0, 1}};
            for (int r = 0; r < 4; r++) assertArrayEquals(expected[r], im.affine()[r], 1e-9);
            assertEquals("MR", v.modality());
        }
    }

    @Test
    void undefinedLengthUnIsReadAsAnImplicitSequence() throws IOException {
        // Explicit VR file whose private sequence is stored as UN of undefined length; its content is
        // implicit VR (PS3.5 6.2.2), so a 4-byte length follows each tag. Mis-parsing it would wreck
        // everything after it.
        Writer top = new Writer(true);
        top.str(DicomTags.SOP_CLASS, "UI", "1.2.840.10008.5.1.4.1.1.7");
        byte[] implicitItem = item(new Writer(false).str(0x0008_0100, "SH", "ABC").sequence(0x0008_1140, "SQ", true,
                item(new Writer(false).str(0x0008_1150, "UI", "1.2"))));
        top.sequence(0x0019_1010, "UN", true, implicitItem);
        top.us(DicomTags.SAMPLES_PER_PIXEL, 1).str(DicomTags.PHOTOMETRIC, "CS", "MONOCHROME1");
        top.us(DicomTags.ROWS, 1).us(DicomTags.COLUMNS, 2);
        top.us(DicomTags.BITS_ALLOCATED, 8).us(DicomTags.BITS_STORED, 8).us(DicomTags.HIGH_BIT, 7)
                .us(DicomTags.PIXEL_REPRESENTATION, 1);
        top.raw(DicomTags.PIXEL_DATA, "OB", new byte[] {(byte) 0xFE, 5});
        Path p = dir.resolve("un.dcm");
        Files.write(p, DicomFilesForTest.part10(DicomFilesForTest.EXPLICIT_LE, top.toBytes()));
        DicomVolume v = DicomReader.readVolume(p, null);
        assertArrayEquals(new float[] {-2, 5}, v.image().data());  // signed 8-bit
        assertEquals("int8", v.image().datatype());
        assertEquals("MONOCHROME1", v.photometric());
        assertTrue(v.warnings().stream().anyMatch(w -> w.contains("MONOCHROME1")), v.warnings().toString());
    }
}
