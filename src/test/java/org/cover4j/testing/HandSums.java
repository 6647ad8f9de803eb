package org.cover4j.testing;

/** Explicit double-precision sums that tests compare the engine's float32 results with. */
public final class HandSums {
    private HandSums() {}

    /** Cosine similarity of row {@code i} of {@code a} and row {@code j} of {@code b}, both row-major with {@code d} columns. */
    public static double cos(float[] a, int i, float[] b, int j, int d) {
        double ab = 0, aa = 0, bb = 0;
        for (int k = 0; k < d; k++) {
            ab += (double) a[i * d + k] * b[j * d + k];
            aa += (double) a[i * d + k] * a[i * d + k];
            bb += (double) b[j * d + k] * b[j * d + k];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
