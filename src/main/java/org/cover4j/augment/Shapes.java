package org.cover4j.augment;

import java.util.Arrays;

/**
 * Shape checks and box crops shared by the view-generation classes. Arrays are C-order over
 * {@code (channels, spatial...)}; only 2D and 3D spatial shapes occur.
 */
final class Shapes {
    private Shapes() {}

    static int count(int[] spatial) {
        long n = 1;
        for (int s : spatial) n *= s;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape too large: " + Arrays.toString(spatial));
        return (int) n;
    }

    static void checkDims(int[] spatial, String what) {
        if (spatial.length != 2 && spatial.length != 3) {
            throw new IllegalArgumentException(what + ": expected a 2D or 3D spatial shape, got " + Arrays.toString(spatial));
        }
        for (int s : spatial) {
            if (s < 1) throw new IllegalArgumentException(what + ": non-positive size in " + Arrays.toString(spatial));
        }
    }

    static void checkSample(float[] x, int channels, int[] spatial, String what) {
        checkDims(spatial, what);
        if (channels < 1) throw new IllegalArgumentException(what + ": channels must be ≥ 1, got " + channels);
        long expected = (long) channels * count(spatial);
        if (x.length != expected) {
            throw new IllegalArgumentException(what + ": " + x.length + " values, expected " + channels + "×"
                    + Arrays.toString(spatial) + " = " + expected);
        }
    }

    static void checkBox(int[] spatial, int[] origin, int[] size, String what) {
        if (origin.length != spatial.length || size.length != spatial.length) {
            throw new IllegalArgumentException(what + ": box rank differs from shape " + Arrays.toString(spatial));
        }
        for (int d = 0; d < spatial.length; d++) {
            if (origin[d] < 0 || size[d] < 1 || origin[d] + size[d] > spatial[d]) {
                throw new IllegalArgumentException(what + ": box at " + Arrays.toString(origin) + " of size "
                        + Arrays.toString(size) + " does not fit in " + Arrays.toString(spatial));
            }
        }
    }

    /** The box {@code [origin, origin+size)} of every channel, C-order over {@code (channels, size...)}. */
    static float[] crop(float[] x, int channels, int[] spatial, int[] origin, int[] size) {
        checkSample(x, channels, spatial, "crop");
        checkBox(spatial, origin, size, "crop");
        int n = count(size);
        float[] out = new float[channels * n];
        int full = count(spatial);
        if (spatial.length == 2) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < size[0]; i++) {
                    System.arraycopy(x, c * full + (origin[0] + i) * spatial[1] + origin[1], out, c * n + i * size[1], size[1]);
                }
            }
        } else {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < size[0]; i++) {
                    for (int j = 0; j < size[1]; j++) {
                        int from = c * full + ((origin[0] + i) * spatial[1] + origin[1] + j) * spatial[2] + origin[2];
                        System.arraycopy(x, from, out, c * n + (i * size[1] + j) * size[2], size[2]);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The flat indices, within one channel, of the box {@code [origin, origin+size)} of a C-order grid
     * {@code spatial}, in the box's own C order. A box with a zero side has no indices.
     */
    static int[] boxIndices(int[] spatial, int[] origin, int[] size) {
        int inner = spatial.length == 3 ? spatial[2] : 1;
        int depth = spatial.length == 3 ? size[2] : 1;
        int z0 = spatial.length == 3 ? origin[2] : 0;
        int[] out = new int[size[0] * size[1] * depth];
        int k = 0;
        for (int i = 0; i < size[0]; i++) {
            for (int j = 0; j < size[1]; j++) {
                int row = ((origin[0] + i) * spatial[1] + origin[1] + j) * inner + z0;
                for (int z = 0; z < depth; z++) out[k++] = row + z;
            }
        }
        return out;
    }
}
