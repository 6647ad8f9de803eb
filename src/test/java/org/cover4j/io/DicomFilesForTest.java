package org.cover4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal DICOM writer for tests: builds explicit- or implicit-VR little-endian data sets element by
 * element (the caller keeps tags in ascending order) and wraps them as Part 10 files. Also writes
 * broken structures on purpose (wrong lengths, unterminated sequences) — it checks nothing.
 */
final class DicomFilesForTest {
    private DicomFilesForTest() {}

    static final String IMPLICIT_LE = "1.2.840.10008.1.2";
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

    /** Element-by-element data set builder. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final boolean explicit;

        Writer(boolean explicit) {
            this.explicit = explicit;
        }

        private void u16(int v) {
            out.write(v & 0xFF);
            out.write((v >>> 8) & 0xFF);
        }

        private void u32(long v) {
            u16((int) (v & 0xFFFF));
            u16((int) ((v >>> 16) & 0xFFFF));
        }

        private void tag(int tag) {
            u16(tag >>> 16);
            u16(tag & 0xFFFF);
        }

        /** Element header with any length (also wrong or undefined ones) and no value. */
        Writer header(int tag, String vr, long length) {
            tag(tag);
            if (explicit) {
                out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
                if ("OB OD OF OL OV OW SQ SV UC UN UR UT UV".contains(vr)) {
                    u16(0);
                    u32(length);
                } else {
                    u16((int) length);
                }
            } else {
                u32(length);
            }
            return this;
        }

        Writer raw(int tag, String vr, byte[] value) {
            header(tag, vr, value.length);
            out.writeBytes(value);
            return this;
        }

        /** Text value padded to even length (NUL for UI, space otherwise). */
        Writer str(int tag, String vr, String value) {
            byte[] b = value.getBytes(StandardCharsets.US_ASCII);
            if (b.length % 2 == 1) {
                byte[] p = new byte[b.length + 1];
                System.arraycopy(b, 0, p, 0, b.length);
                p[b.length] = (byte) (vr.equals("UI") ? 0 : ' ');
                b = p;
            }
            return raw(tag, vr, b);
        }

        Writer ds(int tag, double... values) {
            StringBuilder s = new StringBuilder();
            for (double v : values) s.append(s.length() == 0 ? "" : "\\").append(String.format(Locale.ROOT, "%.6f", v));
            return str(tag, "DS", s.toString());
        }

        Writer us(int tag, int value) {
            return raw(tag, "US", new byte[] {(byte) value, (byte) (value >>> 8)});
        }

        /** Item or delimiter tag (FFFE,xxxx) with its 4-byte length. */
        Writer item(int tag, long length) {
            tag(tag);
            u32(length);
            return this;
        }

        /** A sequence of the given item data sets, with defined or undefined lengths throughout. */
        Writer sequence(int tag, String vr, boolean undefinedLength, byte[]... items) {
            if (undefinedLength) {
                header(tag, vr, 0xFFFF_FFFFL);
                for (byte[] it : items) {
                    item(DicomTags.ITEM, 0xFFFF_FFFFL).bytes(it).item(DicomTags.ITEM_DELIMITER, 0);
                }
                return item(DicomTags.SEQUENCE_DELIMITER, 0);
            }
            long total = 0;
            for (byte[] it : items) total += 8 + it.length;
            header(tag, vr, total);
            for (byte[] it : items) item(DicomTags.ITEM, it.length).bytes(it);
            return this;
        }

        Writer bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    /** Preamble, "DICM" and a meta group declaring {@code tsUid}, followed by the data set. */
    static byte[] part10(String tsUid, byte[] dataset) {
        Writer meta = new Writer(true);
        meta.raw(0x0002_0001, "OB", new byte[] {0, 1})
                .str(0x0002_0002, "UI", "1.2.840.10008.5.1.4.1.1.7")
                .str(0x0002_0003, "UI", "1.2.3.4.5")
                .str(DicomTags.TRANSFER_SYNTAX, "UI", tsUid);
        byte[] group = meta.toBytes();
        Writer head = new Writer(true);
        head.raw(0x0002_0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(group.length).array());
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(new byte[128]);
        f.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        f.writeBytes(head.toBytes());
        f.writeBytes(group);
        f.writeBytes(dataset);
        return f.toByteArray();
    }

    /** Geometry and identity of one synthetic slice. */
    record Slice(String seriesUid, Integer instance, double[] position, double[] orientation, int rows, int cols,
                 double slope, double intercept) {}

    /**
     * A signed 16-bit explicit VR little-endian image slice; pixel (r, c) holds {@code values[r * cols + c]}.
     * Null position / orientation / instance leave the element out.
     */
    static byte[] slice(Slice s, short[] values) {
        Writer w = new Writer(true);
        w.str(DicomTags.SOP_CLASS, "UI", "1.2.840.10008.5.1.4.1.1.7").str(DicomTags.MODALITY, "CS", "OT");
        w.ds(DicomTags.SLICE_THICKNESS, 1.5).ds(DicomTags.SPACING_BETWEEN_SLICES, 2.0);
        w.str(DicomTags.SERIES_UID, "UI", s.seriesUid());
        if (s.instance() != null) w.str(DicomTags.INSTANCE_NUMBER, "IS", Integer.toString(s.instance()));
        if (s.position() != null) w.ds(DicomTags.IMAGE_POSITION, s.position());
        if (s.orientation() != null) w.ds(DicomTags.IMAGE_ORIENTATION, s.orientation());
        w.us(DicomTags.SAMPLES_PER_PIXEL, 1).str(DicomTags.PHOTOMETRIC, "CS", "MONOCHROME2");
        w.us(DicomTags.ROWS, s.rows()).us(DicomTags.COLUMNS, s.cols());
        w.ds(DicomTags.PIXEL_SPACING, 0.5, 0.75);  // row spacing 0.5, column spacing 0.75
        w.us(DicomTags.BITS_ALLOCATED, 16).us(DicomTags.BITS_STORED, 16).us(DicomTags.HIGH_BIT, 15)
                .us(DicomTags.PIXEL_REPRESENTATION, 1);
        w.ds(DicomTags.RESCALE_INTERCEPT, s.intercept()).ds(DicomTags.RESCALE_SLOPE, s.slope());
        ByteBuffer px = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) px.putShort(v);
        w.raw(DicomTags.PIXEL_DATA, "OW", px.array());
        return part10(EXPLICIT_LE, w.toBytes());
    }

    static final double[] AXIAL = {1, 0, 0, 0, 1, 0};

    /**
     * A 16-bit single-component lossless JPEG (ITU T.81 process 14, selection value 1: predict from the
     * left, from above in the first column, 2^15 for the first sample) of {@code values} (row-major, each
     * taken as its low 16 bits). One Huffman table gives every difference category a 5-bit code.
     */
    static byte[] losslessJpeg(int[] values, int rows, int cols) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] head = {0xFF, 0xD8,
                0xFF, 0xC3, 0, 11, 16, rows >> 8, rows & 0xFF, cols >> 8, cols & 0xFF, 1, 1, 0x11, 0,
                0xFF, 0xC4, 0, 2 + 1 + 16 + 17, 0x00, 0, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        for (int b : head) out.write(b);
        for (int v = 0; v <= 16; v++) out.write(v);
        for (int b : new int[] {0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0}) out.write(b);
        BitWriter bits = new BitWriter(out);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int x = values[r * cols + c] & 0xFFFF;
                int pred = r == 0 && c == 0 ? 1 << 15 : c == 0 ? values[(r - 1) * cols] & 0xFFFF : values[r * cols + c - 1] & 0xFFFF;
                int diff = (x - pred) & 0xFFFF;
                if (diff >= 0x8000) diff -= 0x10000;  // -32768..32767; -32768 is category 16
                int ssss = diff == -32768 ? 16 : 32 - Integer.numberOfLeadingZeros(Math.abs(diff));
                bits.write(ssss, 5);
                if (ssss > 0 && ssss < 16) bits.write(diff > 0 ? diff : diff - 1, ssss);
            }
        }
        bits.flush();
        out.write(0xFF);
        out.write(0xD9);
        return out.toByteArray();
    }

    /** Entropy-coded bits, most significant first, with 0xFF byte stuffing. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out;
        private int acc, n;

        BitWriter(ByteArrayOutputStream out) {
            this.out = out;
        }

        void write(int value, int count) {
            for (int i = count - 1; i >= 0; i--) {
                acc = acc << 1 | ((value >>> i) & 1);
                if (++n == 8) emit();
            }
        }

        void flush() {
            while (n != 0) {
                acc = acc << 1 | 1;  // pad with 1-bits
                if (++n == 8) emit();
            }
        }

        private void emit() {
            out.write(acc);
            if (acc == 0xFF) out.write(0);
            acc = 0;
            n = 0;
        }
    }
}
