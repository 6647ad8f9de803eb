package org.cover4j.report;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;

import org.cover4j.util.CoverException;

/**
 * Segmentation figures: a grayscale image (min–max scaled) with the contours of each labelled class drawn in
 * that class's {@link Palette} colour, enlarged by an integer factor so thin structures stay visible.
 *
 * <p>Contours are drawn at the enlarged resolution along the edges between differently labelled pixels: the
 * prediction as a solid line just inside its region, the optional reference as a dashed line of the same
 * colour just outside its region, so coinciding boundaries show both lines side by side.
 * A 3D volume is shown as its middle slice along each axis, side by side (axis 0, 1, 2), grey scaled over the
 * whole volume; voxels are drawn square whatever the spacing.
 */
public final class Overlays {
    private Overlays() {
    }

    private static final int GAP = 8;

    /**
     * Overlay of a 2D image {@code (shape[0] rows, shape[1] columns)} or the three middle slices of a 3D one.
     *
     * @param image  grayscale values (NaN shown black)
     * @param pred   predicted labels (0 = background), or {@code null} for the image alone
     * @param truth  reference labels drawn dashed, or {@code null}
     * @param scale  integer enlargement, at least 1
     */
    public static BufferedImage overlay(float[] image, int[] shape, int[] pred, int[] truth, int scale) {
        long n = check(image, shape, pred, truth, scale);
        float[] range = range(image);
        if (shape.length == 2) return overlay2d(image, shape[0], shape[1], pred, truth, scale, range[0], range[1]);
        BufferedImage[] panels = new BufferedImage[3];
        int width = 0;
        int height = 0;
        for (int axis = 0; axis < 3; axis++) {
            int[] s2 = sliceShape(shape, axis);
            panels[axis] = overlay2d(middleSlice(image, shape, axis), s2[0], s2[1],
                    pred == null ? null : middleSlice(pred, shape, axis),
                    truth == null ? null : middleSlice(truth, shape, axis), scale, range[0], range[1]);
            width += panels[axis].getWidth() + (axis > 0 ? GAP : 0);
            height = Math.max(height, panels[axis].getHeight());
        }
        if ((long) width * height > Integer.MAX_VALUE / 4) throw new CoverException("overlay: " + n + " voxels x" + scale + " is too large a figure");
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int x = 0;
        for (BufferedImage p : panels) {
            out.getRaster().setDataElements(x, 0, p.getWidth(), p.getHeight(), p.getRaster().getDataElements(0, 0, p.getWidth(), p.getHeight(), null));
            x += p.getWidth() + GAP;
        }
        return out;
    }

    /** Writes {@link #overlay} as a PNG (atomically). */
    public static void write(Path png, float[] image, int[] shape, int[] pred, int[] truth, int scale) {
        Figures.writePng(overlay(image, shape, pred, truth, scale), png);
    }

    /** 2D overlay with an explicit grey window {@code [lo, hi]} (lo maps to black, hi to white). */
    public static BufferedImage overlay2d(float[] image, int rows, int cols, int[] pred, int[] truth, int scale, float lo, float hi) {
        int w = cols * scale;
        int h = rows * scale;
        int[] rgb = new int[w * h];
        float span = hi > lo ? hi - lo : 1f;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = image[r * cols + c];
                int g = Float.isNaN(v) ? 0 : Math.round(255f * Math.min(1f, Math.max(0f, (v - lo) / span)));
                int px = (g << 16) | (g << 8) | g;
                for (int y = 0; y < scale; y++) Arrays.fill(rgb, (r * scale + y) * w + c * scale, (r * scale + y) * w + (c + 1) * scale, px);
            }
        }
        int t = Math.max(1, Math.round(scale / 3f));
        if (truth != null) new Contours(truth, rows, cols, scale, t, rgb, true).draw();
        if (pred != null) new Contours(pred, rows, cols, scale, t, rgb, false).draw();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    /** The middle slice ({@code shape[axis] / 2}) of a 3D C-order volume along {@code axis}. */
    public static float[] middleSlice(float[] vol, int[] shape, int axis) {
        int[] idx = sliceIndices(shape, axis);
        float[] out = new float[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = vol[idx[i]];
        return out;
    }

    /** Same for a label volume. */
    public static int[] middleSlice(int[] vol, int[] shape, int axis) {
        int[] idx = sliceIndices(shape, axis);
        int[] out = new int[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = vol[idx[i]];
        return out;
    }

    private static int[] sliceShape(int[] shape, int axis) {
        int[] s = new int[2];
        for (int a = 0, k = 0; a < 3; a++) if (a != axis) s[k++] = shape[a];
        return s;
    }

    private static int[] sliceIndices(int[] shape, int axis) {
        int[] strides = {shape[1] * shape[2], shape[2], 1};
        int[] s2 = sliceShape(shape, axis);
        int[] other = new int[2];
        for (int a = 0, k = 0; a < 3; a++) if (a != axis) other[k++] = a;
        int base = (shape[axis] / 2) * strides[axis];
        int[] idx = new int[s2[0] * s2[1]];
        for (int r = 0; r < s2[0]; r++) {
            for (int c = 0; c < s2[1]; c++) idx[r * s2[1] + c] = base + r * strides[other[0]] + c * strides[other[1]];
        }
        return idx;
    }

    private static float[] range(float[] image) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : image) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo > hi ? new float[] {0, 1} : new float[] {lo, hi};
    }

    private static long check(float[] image, int[] shape, int[] pred, int[] truth, int scale) {
        if (shape == null || shape.length < 2 || shape.length > 3) {
            throw new CoverException("overlay: expected a 2D or 3D shape, got " + Arrays.toString(shape));
        }
        if (scale < 1 || scale > 64) throw CoverException.usage("overlay: scale must be in 1..64, got " + scale);
        long n = 1;
        for (int s : shape) {
            if (s <= 0) throw new CoverException("overlay: non-positive dimension in " + Arrays.toString(shape));
            n *= s;
        }
        if (image.length != n) throw new CoverException("overlay: image has " + image.length + " values, shape " + Arrays.toString(shape) + " needs " + n);
        if (pred != null && pred.length != n) throw new CoverException("overlay: prediction has " + pred.length + " labels, image " + n);
        if (truth != null && truth.length != n) throw new CoverException("overlay: reference has " + truth.length + " labels, image " + n);
        long panelPixels = shape.length == 2 ? n : Math.max(shape[0] * (long) shape[1], Math.max(shape[0] * (long) shape[2], shape[1] * (long) shape[2])) * 3;
        if (panelPixels * scale * scale > 1L << 28) {
            throw CoverException.usage("overlay: " + Arrays.toString(shape) + " at scale " + scale + " is too large a figure; lower the scale");
        }
        return n;
    }

    /** Draws the contour bands of one label map into an RGB buffer at the enlarged resolution. */
    private static final class Contours {
        private final int[] labels;
        private final int rows;
        private final int cols;
        private final int scale;
        private final int t;
        private final int[] rgb;
        private final boolean reference;
        private final int w;

        Contours(int[] labels, int rows, int cols, int scale, int t, int[] rgb, boolean reference) {
            this.labels = labels;
            this.rows = rows;
            this.cols = cols;
            this.scale = scale;
            this.t = t;
            this.rgb = rgb;
            this.reference = reference;
            this.w = cols * scale;
        }

        private int label(int r, int c) {
            return r < 0 || c < 0 || r >= rows || c >= cols ? -1 : labels[r * cols + c];
        }

        void draw() {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int l = labels[r * cols + c];
                    if (l <= 0) continue;
                    int colour = Palette.labelRgb(l);
                    for (int dr = -1; dr <= 1; dr++) {
                        for (int dc = -1; dc <= 1; dc++) {
                            if ((dr != 0 || dc != 0) && label(r + dr, c + dc) != l) edge(r, c, dr, dc, colour);
                        }
                    }
                }
            }
        }

        /**
         * Paints the band along the side (or corner) of pixel (r, c) facing its neighbour (r+dr, c+dc): inside
         * (r, c) for a prediction, inside the neighbour for the reference unless the neighbour is off the image.
         */
        private void edge(int r, int c, int dr, int dc, int colour) {
            boolean outside = reference && label(r + dr, c + dc) != -1;
            int br = outside ? r + dr : r;
            int bc = outside ? c + dc : c;
            int sr = outside ? -dr : dr; // which side of the painted block faces the edge
            int sc = outside ? -dc : dc;
            int y0 = sr < 0 ? 0 : sr > 0 ? scale - t : 0;
            int y1 = sr < 0 ? t : scale;
            int x0 = sc < 0 ? 0 : sc > 0 ? scale - t : 0;
            int x1 = sc < 0 ? t : scale;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    int py = br * scale + y;
                    int px = bc * scale + x;
                    if (reference && ((py + px) / (3 * t + 1)) % 3 == 2) continue; // dashes: 2 on, 1 off
                    rgb[py * w + px] = colour;
                }
            }
        }
    }
}
