package org.cover4j.augment;

/** Mirror images along one spatial axis, C-order {@code (channels, spatial...)}, 2D or 3D. */
public final class Flips {
    private Flips() {}

    /** A new array: {@code x} reversed along spatial axis {@code axis} (0 = y, 1 = x, 2 = z), every channel. */
    public static float[] flip(float[] x, int channels, int[] spatial, int axis) {
        Shapes.checkSample(x, channels, spatial, "flip");
        if (axis < 0 || axis >= spatial.length) {
            throw new IllegalArgumentException("flip: axis " + axis + " out of range for " + spatial.length + " spatial axes");
        }
        // (outer, n, inner) view: the axis is the middle one; whole rows of `inner` values move together.
        int n = spatial[axis];
        int inner = 1;
        for (int d = axis + 1; d < spatial.length; d++) inner *= spatial[d];
        int outer = x.length / (n * inner);
        float[] out = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, (o * n + i) * inner, out, (o * n + n - 1 - i) * inner, inner);
            }
        }
        return out;
    }
}
