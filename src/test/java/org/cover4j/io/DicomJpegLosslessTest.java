package org.cover4j.io;

import org.cover4j.io.DicomFilesForTest.Writer;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Signed 16-bit JPEG lossless multi-frame data (the common CT case), encoded by the test's own
 * process-14 encoder: decoding must give back exactly the values encoded, whether frames are one
 * fragment each or split across fragments located by the basic offset table.
 */
class DicomJpegLosslessTest {
    @TempDir
    Path dir;

    static final int ROWS = 5, COLS = 7, FRAMES = 2;

    static int[] frame(int f) {
        Rng rng = new Rng(99).derive(f);
        int[] v = new int[ROWS * COLS];
        for (int i = 0; i < v.length; i++) v[i] = rng.randint(-2000, 3000);
        v[0] = -32768;  // extremes of int16 exercise categories 15 and 16
        v[1] = 32767;
        return v;
    }

    static byte[] file(boolean splitWithOffsetTable) {
        Writer w = new Writer(true);
        w.str(DicomTags.SOP_CLASS, "UI", "1.2.840.10008.5.1.4.1.1.2");
        w.us(DicomTags.SAMPLES_PER_PIXEL, 1).str(DicomTags.PHOTOMETRIC, "CS", "MONOCHROME2");
        w.str(DicomTags.NUMBER_OF_FRAMES, "IS", Integer.toString(FRAMES));
        w.us(DicomTags.ROWS, ROWS).us(DicomTags.COLUMNS, COLS);
        w.us(DicomTags.BITS_ALLOCATED, 16).us(DicomTags.BITS_STORED, 16).us(DicomTags.HIGH_BIT, 15)
                .us(DicomTags.PIXEL_REPRESENTATION, 1);
        w.ds(DicomTags.RESCALE_INTERCEPT, -1024).ds(DicomTags.RESCALE_SLOPE, 1);
        byte[][] jpeg = new byte[FRAMES][];
        for (int f = 0; f < FRAMES; f++) {
            byte[] j = DicomFilesForTest.losslessJpeg(frame(f), ROWS, COLS);
            jpeg[f] = j.length % 2 == 0 ? j : java.util.Arrays.copyOf(j, j.length + 1);
        }
        w.header(DicomTags.PIXEL_DATA, "OB", 0xFFFF_FFFFL);
        if (!splitWithOffsetTable) {
            w.item(DicomTags.ITEM, 0);
            for (byte[] j : jpeg) w.item(DicomTags.ITEM, j.length).bytes(j);
        } else {
            // Frame 0 in two fragments, frame 1 in one: only the offset table tells where frame 1 starts.
            int half = jpeg[0].length / 2 & ~1;
            byte[] a = java.util.Arrays.copyOfRange(jpeg[0], 0, half), b = java.util.Arrays.copyOfRange(jpeg[0], half, jpeg[0].length);
            int frame1 = 8 + a.length + 8 + b.length;
            w.item(DicomTags.ITEM, 8).bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(frame1).array());
            w.item(DicomTags.ITEM, a.length).bytes(a).item(DicomTags.ITEM, b.length).bytes(b);
            w.item(DicomTags.ITEM, jpeg[1].length).bytes(jpeg[1]);
        }
        w.item(DicomTags.SEQUENCE_DELIMITER, 0);
        return DicomFilesForTest.part10("1.2.840.10008.1.2.4.70", w.toBytes());
    }

    @Test
    void signedSixteenBitFramesRoundTripExactly() throws IOException {
        for (boolean split : new boolean[] {false, true}) {
            Path p = dir.resolve("ct" + split + ".dcm");
            Files.write(p, file(split));
            Image im = DicomReader.read(p);
            assertArrayEquals(new int[] {COLS, ROWS, FRAMES}, im.shape());
            assertEquals("int16", im.datatype());
            for (int f = 0; f < FRAMES; f++) {
                int[] want = frame(f);
                for (int r = 0; r < ROWS; r++)
                    for (int c = 0; c < COLS; c++) {
                        assertEquals(want[r * COLS + c] - 1024, im.data()[(c * ROWS + r) * FRAMES + f], 0,
                                "split " + split + " frame " + f + " (" + r + "," + c + ")");
                    }
            }
        }
    }
}
