package org.cover4j.io;

import org.cover4j.util.CoverException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.nio.file.Path;

/**
 * Writes 2D images (shape (rows, columns)) as PNG: 8-bit gray, 16-bit gray, or 8-bit RGB from a 3-channel image
 * (overlays). The explicit writers round to nearest and clamp to the format's range, for predictions and figures;
 * {@link #write} refuses values a PNG cannot hold exactly. Writes are atomic.
 */
public final class RasterWriter {
    static {
        ImageIO.setUseCache(false);
    }

    private RasterWriter() {}

    /**
     * Writes losslessly or not at all: 3 channels → RGB (values must be integers 0..255); 1 channel → 8-bit gray
     * when every value is an integer in 0..255, 16-bit gray when in 0..65535; anything else is refused.
     */
    public static void write(Path file, Image image) {
        float[] v = image.data();
        if (image.channels() == 3) {
            if (!ValueRange.allIntegersIn(v, 0, 255)) {
                throw CoverException.file(file, "an RGB PNG holds integers 0..255; rescale the image first");
            }
            writeRgb(file, image);
        } else if (ValueRange.allIntegersIn(v, 0, 255)) {
            writeGray8(file, image);
        } else if (ValueRange.allIntegersIn(v, 0, 65535)) {
            writeGray16(file, image);
        } else {
            throw CoverException.file(file, "a gray PNG holds integers 0..65535; this image has other values"
                    + " (rescale it, or write .nii/.mha to keep them)");
        }
    }

    /** 8-bit gray PNG; values rounded and clamped to 0..255. */
    public static void writeGray8(Path file, Image image) {
        writeGray(file, image, BufferedImage.TYPE_BYTE_GRAY, 255);
    }

    /** 16-bit gray PNG; values rounded and clamped to 0..65535. */
    public static void writeGray16(Path file, Image image) {
        writeGray(file, image, BufferedImage.TYPE_USHORT_GRAY, 65535);
    }

    /** 8-bit RGB PNG from a 3-channel image (channel 0 = red); values rounded and clamped to 0..255. */
    public static void writeRgb(Path file, Image image) {
        int[] rc = rowsCols(file, image, 3);
        int h = rc[0], w = rc[1], n = h * w;
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        WritableRaster r = bi.getRaster();
        float[] v = image.data();
        for (int b = 0; b < 3; b++) {
            int[] samples = new int[n];
            for (int i = 0; i < n; i++) samples[i] = clamp(v[b * n + i], 255);
            r.setSamples(0, 0, w, h, b, samples);
        }
        png(file, bi);
    }

    private static void writeGray(Path file, Image image, int bufferedType, int max) {
        int[] rc = rowsCols(file, image, 1);
        int h = rc[0], w = rc[1];
        BufferedImage bi = new BufferedImage(w, h, bufferedType);
        float[] v = image.data();
        int[] samples = new int[v.length];
        for (int i = 0; i < v.length; i++) samples[i] = clamp(v[i], max);
        bi.getRaster().setSamples(0, 0, w, h, 0, samples);
        png(file, bi);
    }

    private static int[] rowsCols(Path file, Image image, int channels) {
        if (image.ndim() != 2) {
            throw CoverException.file(file, "PNG holds 2D images (rows, columns); image has shape "
                    + java.util.Arrays.toString(image.shape()));
        }
        if (image.channels() != channels) {
            throw CoverException.file(file, "expected " + channels + " channel(s) for this PNG, image has " + image.channels());
        }
        return image.shape();
    }

    private static int clamp(float v, int max) {
        if (Float.isNaN(v)) return 0;
        return (int) Math.max(0, Math.min(max, Math.rint(v)));
    }

    private static void png(Path file, BufferedImage bi) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(bi, "png", out)) throw new java.io.IOException("no PNG writer available");
        });
    }
}
