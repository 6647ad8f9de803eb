package org.cover4j.io;

import org.cover4j.util.CoverException;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Reads 2D pictures — PNG, JPEG, BMP, GIF, TIFF — through {@code javax.imageio} (with the TwelveMonkeys plugins
 * on the class path). Shape is (rows, columns), or (pages, rows, columns) for a multi-page TIFF; spacing 1 and an
 * identity affine (file resolution tags are ignored).
 *
 * <p>Values:
 * <ul>
 *   <li>gray images are read as stored, without scaling: 8-bit 0..255, 16-bit 0..65535, float32 TIFF exactly;
 *       1/2/4-bit PNGs come out of Java's decoder as a gray palette, i.e. scaled to 0..255 (a 1-bit mask reads
 *       0/255), as Pillow's {@code convert("L")} gives;</li>
 *   <li>colour (RGB, RGBA, palette) in {@link Color#GRAY} mode becomes Pillow's {@code convert("L")}: ITU-R 601-2
 *       luma {@code L = R·299/1000 + G·587/1000 + B·114/1000} computed as Pillow does it,
 *       {@code (R·19595 + G·38470 + B·7471 + 0x8000) >> 16} — rounded to an integer, so a palette of grays reads
 *       back exactly (OpenCV's {@code cvtColor} rounds with 14-bit weights and can differ by 1); alpha is ignored;</li>
 *   <li>in {@link Color#CHANNELS} mode colour images keep R, G, B as three channels (alpha dropped); gray images
 *       stay one channel.</li>
 * </ul>
 * TIFF is read by the JDK's own plugin ({@code com.sun.imageio.plugins.tiff}) when it can: TwelveMonkeys' TIFF reader
 * clamps float samples, so it is used only as a fallback for files the JDK plugin rejects.
 */
public final class RasterReader {
    /** How colour images are returned. */
    public enum Color { GRAY, CHANNELS }

    /** Largest picture (pixels per page) we decode: 16384 × 16384. */
    static final long MAX_PIXELS = 1L << 28;
    private static final String JDK_TIFF = "com.sun.imageio.plugins.tiff";

    static {
        ImageIO.setUseCache(false);
    }

    private RasterReader() {}

    /** Reads a picture, converting colour to gray (see class documentation). */
    public static Image read(Path file) {
        return read(file, Color.GRAY);
    }

    public static Image read(Path file, Color mode) {
        ImageFiles.requireRegularFile(file);
        long fileBytes = ImageFiles.size(file);
        if (fileBytes == 0) throw CoverException.file(file, "empty file");
        List<ImageReader> readers = readers(file);
        if (readers.isEmpty()) throw CoverException.file(file, "no image reader recognises this file");
        CoverException first = null;
        for (ImageReader reader : readers) {
            try {
                return decode(file, fileBytes, reader, mode);
            } catch (CoverException e) {
                if (first == null) first = e;
            } finally {
                reader.dispose();
            }
        }
        throw first;
    }

    private static List<ImageReader> readers(Path file) {
        List<ImageReader> list = new ArrayList<>();
        try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
            if (iis == null) throw CoverException.file(file, "cannot open for reading");
            Iterator<ImageReader> it = ImageIO.getImageReaders(iis);
            while (it.hasNext()) {
                ImageReader r = it.next();
                // The JDK's TIFF plugin first: it keeps float samples exact.
                if (r.getClass().getName().startsWith(JDK_TIFF)) list.add(0, r);
                else list.add(r);
            }
        } catch (IOException | RuntimeException e) {
            throw CoverException.file(file, "cannot read (" + e.getMessage() + ")");
        }
        return list;
    }

    private static Image decode(Path file, long fileBytes, ImageReader reader, Color mode) {
        String format;
        try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
            reader.setInput(iis, false, true);
            format = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (format.equals("tif")) format = "tiff";
            if (format.equals("jpg")) format = "jpeg";
            int pages = format.equals("tiff") ? reader.getNumImages(true) : 1;
            if (pages < 1) throw CoverException.file(file, "no images in this " + format + " file");
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            checkSize(file, fileBytes, w, h, pages, format);
            List<float[]> planes = new ArrayList<>();
            int channels = -1;
            String datatype = null;
            for (int p = 0; p < pages; p++) {
                if (reader.getWidth(p) != w || reader.getHeight(p) != h) {
                    throw CoverException.file(file, "TIFF page " + p + " is " + reader.getWidth(p) + "x" + reader.getHeight(p)
                            + ", page 0 is " + w + "x" + h + ": pages of a stack must have one size");
                }
                BufferedImage bi = reader.read(p);
                Converted c = convert(bi, mode);
                if (channels >= 0 && c.channels != channels) {
                    throw CoverException.file(file, "TIFF pages have different numbers of channels");
                }
                channels = c.channels;
                datatype = c.datatype;
                planes.add(c.data);
            }
            return assemble(planes, channels, h, w, format, datatype, file);
        } catch (CoverException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? "unexpected end of data" : e.getMessage();
            throw CoverException.file(file, "corrupt or unsupported image (" + e.getClass().getSimpleName() + ": " + why + ")");
        } catch (OutOfMemoryError e) {
            throw CoverException.file(file, "image too large to decode in this Java heap (raise -Xmx)");
        }
    }

    private static void checkSize(Path file, long fileBytes, long w, long h, long pages, String format) {
        long pixels = w * h;
        // Compression cannot beat deflate's ratio by much; 8 pixels per byte more allows for 1-bit images.
        long plausible = Math.max(1L << 20, fileBytes * ImageFiles.MAX_DEFLATE_RATIO * 8);
        if (w <= 0 || h <= 0 || pixels > MAX_PIXELS || pixels > plausible || pixels * pages > ImageFiles.MAX_VALUES / 4) {
            throw CoverException.file(file, "implausible " + format + " size " + w + "x" + h
                    + (pages > 1 ? "x" + pages + " pages" : "") + " for a file of " + fileBytes + " bytes");
        }
    }

    private static Image assemble(List<float[]> planes, int channels, int h, int w, String format, String datatype, Path file) {
        int pages = planes.size();
        int plane = h * w;
        float[] data = ImageFiles.allocate((long) pages * plane * channels, file);
        // Image layout is channel-first: (c, pages, rows, cols); each converted plane is (c, rows, cols).
        for (int p = 0; p < pages; p++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(planes.get(p), c * plane, data, (c * pages + p) * plane, plane);
            }
        }
        int[] shape = pages == 1 ? new int[]{h, w} : new int[]{pages, h, w};
        double[] spacing = new double[shape.length];
        java.util.Arrays.fill(spacing, 1.0);
        return new Image(data, channels, shape, spacing, null, format, datatype);
    }

    private record Converted(float[] data, int channels, String datatype) {}

    private static Converted convert(BufferedImage bi, Color mode) {
        ColorModel cm = bi.getColorModel();
        Raster r = bi.getRaster();
        int w = bi.getWidth(), h = bi.getHeight(), n = w * h;
        String datatype = datatype(r);
        if (cm instanceof IndexColorModel icm) {
            int size = icm.getMapSize();
            int[][] rgb = new int[3][size];
            for (int i = 0; i < size; i++) {
                rgb[0][i] = icm.getRed(i);
                rgb[1][i] = icm.getGreen(i);
                rgb[2][i] = icm.getBlue(i);
            }
            int[] idx = r.getSamples(0, 0, w, h, 0, (int[]) null);
            int[][] planes = new int[3][n];
            for (int i = 0; i < n; i++) {
                int k = Math.min(Math.max(idx[i], 0), size - 1);
                planes[0][i] = rgb[0][k];
                planes[1][i] = rgb[1][k];
                planes[2][i] = rgb[2][k];
            }
            return fromRgb(planes, n, mode, "uint8");
        }
        int colors = cm.getNumColorComponents();
        int type = cm.getColorSpace().getType();
        if (colors == 1) {
            return new Converted(r.getSamples(0, 0, w, h, 0, (float[]) null), 1, datatype);
        }
        if (colors == 3 && type == ColorSpace.TYPE_RGB && r.getNumBands() >= 3) {
            int dt = r.getDataBuffer().getDataType();
            if (dt == DataBuffer.TYPE_FLOAT || dt == DataBuffer.TYPE_DOUBLE) {
                float[][] f = new float[3][];
                for (int b = 0; b < 3; b++) f[b] = r.getSamples(0, 0, w, h, b, (float[]) null);
                if (mode == Color.CHANNELS) return new Converted(concat(f, n), 3, datatype);
                float[] g = new float[n];
                for (int i = 0; i < n; i++) g[i] = (float) (f[0][i] * 0.299 + f[1][i] * 0.587 + f[2][i] * 0.114);
                return new Converted(g, 1, datatype);
            }
            int[][] planes = new int[3][];
            for (int b = 0; b < 3; b++) planes[b] = r.getSamples(0, 0, w, h, b, (int[]) null);
            return fromRgb(planes, n, mode, datatype);
        }
        // Other colour spaces (CMYK, YCCK, ...): let Java2D convert to 8-bit sRGB.
        int[] argb = bi.getRGB(0, 0, w, h, null, 0, w);
        int[][] planes = new int[3][n];
        for (int i = 0; i < n; i++) {
            planes[0][i] = (argb[i] >> 16) & 0xff;
            planes[1][i] = (argb[i] >> 8) & 0xff;
            planes[2][i] = argb[i] & 0xff;
        }
        return fromRgb(planes, n, mode, "uint8");
    }

    private static Converted fromRgb(int[][] planes, int n, Color mode, String datatype) {
        if (mode == Color.CHANNELS) {
            float[] out = new float[3 * n];
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < n; i++) out[b * n + i] = planes[b][i];
            }
            return new Converted(out, 3, datatype);
        }
        float[] g = new float[n];
        for (int i = 0; i < n; i++) g[i] = luma(planes[0][i], planes[1][i], planes[2][i]);
        return new Converted(g, 1, datatype);
    }

    /** Pillow's {@code convert("L")}: ITU-R 601-2 luma with 16-bit fixed-point weights, rounded. */
    static long luma(long r, long g, long b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static float[] concat(float[][] f, int n) {
        float[] out = new float[f.length * n];
        for (int b = 0; b < f.length; b++) System.arraycopy(f[b], 0, out, b * n, n);
        return out;
    }

    private static String datatype(Raster r) {
        return switch (r.getDataBuffer().getDataType()) {
            case DataBuffer.TYPE_BYTE -> "uint8";
            case DataBuffer.TYPE_USHORT -> "uint16";
            case DataBuffer.TYPE_SHORT -> "int16";
            case DataBuffer.TYPE_INT -> "int32";
            case DataBuffer.TYPE_FLOAT -> "float32";
            case DataBuffer.TYPE_DOUBLE -> "float64";
            default -> "unknown";
        };
    }
}
