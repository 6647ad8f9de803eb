package org.cover4j.io;

import org.cover4j.util.CoverException;

/**
 * DICOM RLE Lossless (PS3.5 Annex G): each frame is a 64-byte header (segment count and up to 15
 * segment offsets) followed by PackBits-coded segments, one per byte of each sample, most significant
 * byte first, each decoding to Rows x Columns bytes.
 */
final class DicomRle {
    private DicomRle() {}

    /** PackBits cannot expand a segment by more than 64x (2 bytes code a run of 128). */
    private static final int MAX_RATIO = 64;

    /** Checks the frame header and segment sizes without decoding. */
    static int[] checkFrame(DicomHeader h, byte[] frame, int k) {
        int bytes = h.bitsAllocated / 8;
        int segments = h.samples * bytes;
        if (frame.length < 64) throw bad(h, k, "is " + frame.length + " bytes, shorter than its 64-byte header");
        long n = DicomParser.le32(frame, 0);
        if (n != segments) {
            throw bad(h, k, "has " + n + " segments; " + h.samples + " samples of " + h.bitsAllocated + " bits need "
                    + segments);
        }
        int[] bounds = new int[segments + 1];
        for (int i = 0; i < segments; i++) {
            long o = DicomParser.le32(frame, 4 + 4 * i);
            if (o < 64 || o > frame.length || (i > 0 && o < bounds[i - 1])) {
                throw bad(h, k, "has segment " + i + " at offset " + o + " outside the frame of " + frame.length + " bytes");
            }
            bounds[i] = (int) o;
        }
        bounds[segments] = frame.length;
        long pixels = (long) h.rows * h.cols;
        for (int i = 0; i < segments; i++) {
            if ((long) (bounds[i + 1] - bounds[i]) * MAX_RATIO < pixels) {
                throw bad(h, k, "segment " + i + " has " + (bounds[i + 1] - bounds[i]) + " bytes, too few for "
                        + pixels + " pixels");
            }
        }
        return bounds;
    }

    /** Decodes frame {@code k} into {@code out} (planar stored values). */
    static void decode(DicomHeader h, byte[] frame, int k, double[] out) {
        int[] bounds = checkFrame(h, frame, k);
        int pixels = h.rows * h.cols;
        int bytes = h.bitsAllocated / 8;
        byte[] seg = new byte[pixels];
        long[] raw = new long[pixels];
        for (int s = 0; s < h.samples; s++) {
            java.util.Arrays.fill(raw, 0);
            for (int b = 0; b < bytes; b++) {
                int i = s * bytes + b;
                unpack(h, k, frame, bounds[i], bounds[i + 1], seg);
                for (int p = 0; p < pixels; p++) raw[p] = raw[p] << 8 | (seg[p] & 0xFF);
            }
            for (int p = 0; p < pixels; p++) out[s * pixels + p] = h.stored(raw[p], true);
        }
    }

    /** PackBits: n in 0..127 copies n+1 bytes; n in -127..-1 repeats the next byte 1-n times; -128 is a no-op. */
    private static void unpack(DicomHeader h, int k, byte[] in, int from, int to, byte[] out) {
        int o = 0, i = from;
        while (o < out.length && i < to) {
            int n = in[i++];
            if (n >= 0) {
                int count = n + 1;
                if (i + count > to) throw bad(h, k, "has a literal run past the end of its segment");
                int kept = Math.min(count, out.length - o);  // padding beyond the frame is dropped
                System.arraycopy(in, i, out, o, kept);
                i += count;
                o += kept;
            } else if (n != -128) {
                int count = 1 - n;
                if (i >= to) throw bad(h, k, "has a repeat run past the end of its segment");
                int kept = Math.min(count, out.length - o);
                java.util.Arrays.fill(out, o, o + kept, in[i++]);
                o += kept;
            }
        }
        if (o < out.length) throw bad(h, k, "segment decodes to " + o + " bytes, expected " + out.length);
    }

    private static CoverException bad(DicomHeader h, int k, String problem) {
        return CoverException.file(h.file, "DICOM RLE frame " + k + " " + problem);
    }
}
