package org.cover4j.io;

import org.cover4j.util.CoverException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * JPEG frames (baseline, extended, lossless process 14) through javax.imageio; the TwelveMonkeys
 * JPEG plugin on the class path adds lossless JPEG and handles DICOM's colour variants. The frame
 * size is taken from the JPEG header before decoding and must equal Rows x Columns, so a corrupt
 * header cannot make the decoder allocate a huge image.
 */
final class DicomJpeg {
    private DicomJpeg() {}

    /** Finds the start-of-frame segment and checks precision, size and component count. */
    static void checkFrame(DicomHeader h, byte[] jpeg, int k) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            throw bad(h, k, "does not start with a JPEG start-of-image marker");
        }
        int i = 2;
        while (i + 4 <= jpeg.length) {
            if ((jpeg[i] & 0xFF) != 0xFF) throw bad(h, k, "has no JPEG marker at byte " + i);
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) {  // fill byte
                i++;
                continue;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            int len = (jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                if (len < 8 || i + 10 > jpeg.length) throw bad(h, k, "has a truncated JPEG frame header");
                int height = (jpeg[i + 5] & 0xFF) << 8 | (jpeg[i + 6] & 0xFF);
                int width = (jpeg[i + 7] & 0xFF) << 8 | (jpeg[i + 8] & 0xFF);
                int comps = jpeg[i + 9] & 0xFF;
                if (width != h.cols || (height != 0 && height != h.rows) || comps != h.samples) {
                    throw bad(h, k, "is a JPEG of " + width + " x " + height + " x " + comps + " components, but the "
                            + "header says Columns x Rows x SamplesPerPixel = " + h.cols + " x " + h.rows + " x " + h.samples);
                }
                return;
            }
            if (marker == 0xDA || marker == 0xD9) break;
            i += 2 + len;
        }
        throw bad(h, k, "has no JPEG start-of-frame header");
    }

    /** Decodes frame {@code k} into {@code out} (planar stored values, RGB for colour). */
    static void decode(DicomHeader h, byte[] jpeg, int k, double[] out) {
        checkFrame(h, jpeg, k);
        Raster r;
        int colorSpace;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
            ImageReader reader = pickReader(ImageIO.getImageReaders(in));
            if (reader == null) throw bad(h, k, "found no JPEG decoder (javax.imageio)");
            try {
                reader.setInput(in);
                if (rawComponents(h, jpeg)) {
                    r = reader.readRaster(0, null);
                    colorSpace = ColorSpace.TYPE_RGB;
                } else {
                    BufferedImage img = reader.read(0);
                    r = img.getRaster();
                    colorSpace = img.getColorModel().getColorSpace().getType();
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CoverException ce) throw ce;
            throw CoverException.file(h.file, "compressed DICOM (TransferSyntax " + h.syntax.uid + " " + h.syntax.title
                    + ") frame " + k + " could not be decoded (" + e.getMessage() + "); convert with dcm2niix");
        }
        if (r.getWidth() != h.cols || r.getHeight() != h.rows || r.getNumBands() != h.samples) {
            throw bad(h, k, "decoded to " + r.getWidth() + " x " + r.getHeight() + " x " + r.getNumBands()
                    + " instead of " + h.cols + " x " + h.rows + " x " + h.samples);
        }
        if (h.samples == 3 && colorSpace != ColorSpace.TYPE_RGB) {
            throw bad(h, k, "decoded to a colour space other than RGB");
        }
        int pixels = h.rows * h.cols;
        int[] row = new int[h.cols];
        for (int s = 0; s < h.samples; s++) {
            for (int y = 0; y < h.rows; y++) {
                r.getSamples(0, y, h.cols, 1, s, row);
                for (int x = 0; x < h.cols; x++) {
                    out[s * pixels + y * h.cols + x] = h.stored(row[x] & 0xFFFFFFFFL, false);
                }
            }
        }
    }

    /**
     * Whether to take the decoded components as they are. Grey images have nothing to convert. For
     * colour, DICOM's PhotometricInterpretation says what the components are: RGB means no colour
     * transform was applied (PS3.5 8.2.1), even when the stream lacks the Adobe marker that says so and
     * a JPEG decoder would assume YCbCr; only an explicit Adobe "YCbCr" marker overrides it. YBR_*
     * components are converted to RGB by the decoder.
     */
    private static boolean rawComponents(DicomHeader h, byte[] jpeg) {
        if (h.samples == 1) return true;
        return h.photometric.equals("RGB") && adobeTransform(jpeg) != 1;
    }

    /** The transform byte of an Adobe APP14 segment before the first scan, or -1. */
    private static int adobeTransform(byte[] jpeg) {
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) break;
            int len = (jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF);
            if (marker == 0xEE && len >= 14 && i + 2 + len <= jpeg.length
                    && new String(jpeg, i + 4, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("Adobe")) {
                return jpeg[i + 15] & 0xFF;
            }
            i += 2 + len;
        }
        return -1;
    }

    /** Prefers the TwelveMonkeys reader (lossless JPEG, DICOM colour handling) over the JDK's. */
    private static ImageReader pickReader(Iterator<ImageReader> readers) {
        ImageReader first = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (r.getClass().getName().contains("twelvemonkeys")) return r;
            if (first == null) first = r;
        }
        return first;
    }

    private static CoverException bad(DicomHeader h, int k, String problem) {
        return CoverException.file(h.file, "DICOM JPEG frame " + k + " " + problem);
    }
}
