package org.cover4j.data;

import org.cover4j.io.Image;

/**
 * Resampling of a C-order array along one axis at given fractional source coordinates.
 *
 * <p>Multilinear interpolation is separable, so resampling axis by axis gives exactly the same
 * numbers as a full N-d linear (or nearest) interpolation at the product grid, at a fraction of the
 * cost and with one code path for 2D, 3D and 4D. Coordinates outside {@code [0, n-1]} are clamped
 * to the border (MONAI's and ITK's default "border" padding for resampling).
 */
final class AxisResampler {
    private AxisResampler() {}

    /**
     * @param data   C-order array of shape {@code dims}
     * @param dims   full shape, including a leading channel axis if the caller has one
     * @param axis   axis of {@code dims} to resample
     * @param coords source coordinate (in input index units) of each output position along {@code axis}
     * @param linear linear interpolation if true, nearest (round half up) otherwise
     * @return array of shape {@code dims} with {@code dims[axis]} replaced by {@code coords.length}
     */
    static float[] resample(float[] data, int[] dims, int axis, double[] coords, boolean linear) {
        int n = dims[axis];
        int m = coords.length;
        long outer = 1, inner = 1;
        for (int a = 0; a < axis; a++) outer *= dims[a];
        for (int a = axis + 1; a < dims.length; a++) inner *= dims[a];
        long total = outer * m * inner;
        if (total > Integer.MAX_VALUE - 8) {
            throw new org.cover4j.util.CoverException("resampled image would have " + total
                    + " elements, more than a Java array holds");
        }
        int[] lo = new int[m];
        int[] hi = new int[m];
        float[] w = new float[m];
        for (int j = 0; j < m; j++) {
            double c = Math.min(Math.max(coords[j], 0.0), n - 1.0);
            if (linear) {
                int i0 = (int) Math.floor(c);
                int i1 = Math.min(i0 + 1, n - 1);
                lo[j] = i0;
                hi[j] = i1;
                w[j] = (float) (c - i0);
            } else {
                int i = (int) Math.floor(c + 0.5);
                lo[j] = Math.min(i, n - 1);
                hi[j] = lo[j];
                w[j] = 0f;
            }
        }
        int in = (int) inner;
        float[] out = new float[(int) total];
        for (long o = 0; o < outer; o++) {
            int srcBase = (int) (o * n * in);
            int dstBase = (int) (o * m * in);
            for (int j = 0; j < m; j++) {
                int a = srcBase + lo[j] * in;
                int b = srcBase + hi[j] * in;
                int d = dstBase + j * in;
                float wj = w[j];
                if (wj == 0f) {
                    System.arraycopy(data, a, out, d, in);
                } else {
                    for (int k = 0; k < in; k++) out[d + k] = data[a + k] + wj * (data[b + k] - data[a + k]);
                }
            }
        }
        return out;
    }

    /** The full shape {@code (channels, spatial...)} of an image, as the resampler wants it. */
    static int[] fullDims(Image img) {
        int[] s = img.shape();
        int[] d = new int[s.length + 1];
        d[0] = img.channels();
        System.arraycopy(s, 0, d, 1, s.length);
        return d;
    }
}
