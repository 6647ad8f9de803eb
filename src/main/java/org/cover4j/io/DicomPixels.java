package org.cover4j.io;

import org.cover4j.io.DicomDataset.Element;
import org.cover4j.io.DicomDataset.Fragment;
import org.cover4j.util.CoverException;

import java.util.ArrayList;
import java.util.List;

import static org.cover4j.io.DicomTags.PIXEL_DATA;

/**
 * Decodes the frames of one file's pixel data into stored values (BitsStored bits, sign-extended when
 * signed, before rescale), in planar order {@code (sample, row, column)}. Native data is read in place;
 * encapsulated data is split into frames ({@link #splitFrames}) and handed to {@link DicomRle} or
 * {@link DicomJpeg}. YBR_FULL colour is converted to RGB. Everything is validated when constructed,
 * so the caller can allocate the output only after all files passed.
 */
final class DicomPixels {
    private final DicomHeader h;
    private final DicomDataset ds;
    private final Element px;
    private final int pixels;
    /** Encapsulated only: the fragments of each frame. */
    private final List<List<Fragment>> frameFragments;

    DicomPixels(DicomHeader h, DicomDataset ds) {
        this.h = h;
        this.ds = ds;
        this.px = ds.element(PIXEL_DATA);
        this.pixels = h.rows * h.cols;
        long frameValues = (long) pixels * h.samples;
        if (h.syntax.pixels == DicomTransferSyntax.Pixels.NATIVE) {
            if (px.fragments() != null) {
                throw CoverException.file(h.file, "DICOM pixel data is encapsulated but the transfer syntax "
                        + h.syntax.uid + " is uncompressed");
            }
            long neededBits = frameValues * h.frames * h.bitsAllocated;
            long needed = (neededBits + 7) / 8;
            if (needed > px.length()) {
                throw CoverException.file(h.file, "DICOM pixel data has " + px.length() + " bytes but Rows x Columns"
                        + " x frames x samples x BitsAllocated = " + h.rows + " x " + h.cols + " x " + h.frames + " x "
                        + h.samples + " x " + h.bitsAllocated + " bits needs " + needed + " (truncated or corrupt)");
            }
            frameFragments = null;
        } else {
            if (px.fragments() == null) {
                throw CoverException.file(h.file, "DICOM transfer syntax " + h.syntax
                        + " needs encapsulated pixel data, but PixelData has a defined length");
            }
            frameFragments = splitFrames();
            for (int k = 0; k < h.frames; k++) {
                if (h.syntax.pixels == DicomTransferSyntax.Pixels.RLE) {
                    DicomRle.checkFrame(h, frameBytes(k), k);
                } else if (k == 0) {
                    DicomJpeg.checkFrame(h, frameBytes(k), k);
                }
            }
        }
    }

    /** Stored values of frame {@code k}, planar: index {@code (s * rows + r) * cols + c}. */
    double[] frame(int k) {
        double[] out = new double[h.samples * pixels];
        switch (h.syntax.pixels) {
            case NATIVE -> nativeFrame(k, out);
            case RLE -> DicomRle.decode(h, frameBytes(k), k, out);
            case JPEG -> DicomJpeg.decode(h, frameBytes(k), k, out);
            default -> throw new IllegalStateException("unsupported syntax passed validation: " + h.syntax);
        }
        // The JPEG decoder already returns RGB; uncompressed and RLE YBR_FULL are converted here.
        if (h.photometric.equals("YBR_FULL") && h.syntax.pixels != DicomTransferSyntax.Pixels.JPEG) ybrToRgb(out);
        return out;
    }

    private void nativeFrame(int k, double[] out) {
        long base = (long) k * pixels * h.samples;
        int off = px.offset();
        byte[] b = ds.buf;
        // Explicit VR big endian swaps bytes within 16-bit words of OW data, also for 8- and 1-bit samples.
        int swap = ds.bigEndian && "OW".equals(px.vr()) ? 1 : 0;
        for (int s = 0; s < h.samples; s++) {
            for (int i = 0; i < pixels; i++) {
                long g = base + (h.planar ? (long) s * pixels + i : (long) i * h.samples + s);
                long raw = switch (h.bitsAllocated) {
                    case 1 -> (b[off + (int) ((g >>> 3) ^ swap)] >>> (int) (g & 7)) & 1;
                    case 8 -> b[off + (int) (g ^ swap)] & 0xFF;
                    case 16 -> ds.u16(off + (int) (2 * g));
                    default -> ds.u32(off + (int) (4 * g));
                };
                out[s * pixels + i] = h.stored(raw, true);
            }
        }
    }

    /** The bytes of frame {@code k} (its fragments concatenated). */
    private byte[] frameBytes(int k) {
        List<Fragment> parts = frameFragments.get(k);
        long n = 0;
        for (Fragment f : parts) n += f.length();
        if (n > DicomParser.MAX_BYTES) throw CoverException.file(h.file, "DICOM frame " + k + " is larger than 2 GiB");
        byte[] out = new byte[(int) n];
        int at = 0;
        for (Fragment f : parts) {
            System.arraycopy(ds.buf, f.offset(), out, at, f.length());
            at += f.length();
        }
        return out;
    }

    /**
     * Assigns fragments to frames: one frame takes all; otherwise the basic offset table when it is
     * complete and consistent, one fragment per frame when the counts match, and for JPEG a new frame
     * at every fragment that starts with a start-of-image marker.
     */
    private List<List<Fragment>> splitFrames() {
        List<Fragment> all = px.fragments();
        if (all.size() < 2) {
            throw CoverException.file(h.file, "encapsulated DICOM pixel data has no fragments after the offset table");
        }
        Fragment table = all.get(0);
        List<Fragment> data = all.subList(1, all.size());
        List<List<Fragment>> frames = new ArrayList<>();
        if (h.frames == 1) {
            frames.add(data);
            return frames;
        }
        if (table.length() == 4 * h.frames) {
            List<List<Fragment>> byTable = byOffsetTable(table, data);
            if (byTable != null) return byTable;
        }
        if (data.size() == h.frames) {
            for (Fragment f : data) frames.add(List.of(f));
            return frames;
        }
        if (h.syntax.pixels == DicomTransferSyntax.Pixels.JPEG) {
            for (Fragment f : data) {
                boolean soi = f.length() >= 2 && (ds.buf[f.offset()] & 0xFF) == 0xFF && (ds.buf[f.offset() + 1] & 0xFF) == 0xD8;
                if (soi || frames.isEmpty()) frames.add(new ArrayList<>());
                frames.get(frames.size() - 1).add(f);
            }
            if (frames.size() == h.frames) return frames;
        }
        throw CoverException.file(h.file, "encapsulated DICOM pixel data: cannot tell which of " + data.size()
                + " fragments belong to which of " + h.frames + " frames");
    }

    private List<List<Fragment>> byOffsetTable(Fragment table, List<Fragment> data) {
        long[] start = new long[h.frames];
        for (int k = 0; k < h.frames; k++) {
            start[k] = DicomParser.le32(ds.buf, table.offset() + 4 * k);
            if (k == 0 ? start[0] != 0 : start[k] <= start[k - 1]) return null;
        }
        List<List<Fragment>> frames = new ArrayList<>();
        for (int k = 0; k < h.frames; k++) frames.add(new ArrayList<>());
        int firstItem = data.get(0).offset() - 8;
        int k = 0;
        for (Fragment f : data) {
            long at = f.offset() - 8 - firstItem;  // offsets count from the first fragment's item tag
            while (k + 1 < h.frames && at >= start[k + 1]) k++;
            frames.get(k).add(f);
        }
        for (List<Fragment> f : frames) if (f.isEmpty()) return null;
        return frames;
    }

    /** YBR_FULL to RGB (ITU-R BT.601 full range, as DICOM PS3.3 C.7.6.3.1.2 and pydicom). */
    private void ybrToRgb(double[] v) {
        double max = (1L << h.bitsStored) - 1, mid = 1L << (h.bitsStored - 1);
        for (int i = 0; i < pixels; i++) {
            double y = v[i], cb = v[pixels + i] - mid, cr = v[2 * pixels + i] - mid;
            v[i] = clamp(Math.round(y + 1.402 * cr), max);
            v[pixels + i] = clamp(Math.round(y - 0.344136 * cb - 0.714136 * cr), max);
            v[2 * pixels + i] = clamp(Math.round(y + 1.772 * cb), max);
        }
    }

    private static double clamp(double x, double max) {
        return Math.max(0, Math.min(max, x));
    }
}
