package org.cover4j.io;

import java.util.Arrays;

/** One array from a {@code .npy} entry: its numpy dtype string, C-order shape and values. */
public final class NpyArray {
    private final String dtype;
    private final long[] shape;
    private final double[] values;

    NpyArray(String dtype, long[] shape, double[] values) {
        this.dtype = dtype;
        this.shape = shape;
        this.values = values;
    }

    /** numpy's dtype descriptor without byte order, e.g. {@code f4}, {@code f8}, {@code i8}. */
    public String dtype() { return dtype; }
    public long[] shape() { return shape.clone(); }
    public int[] intShape() { return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray(); }
    public int size() { return values.length; }
    public double[] doubles() { return values.clone(); }

    public float[] floats() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return f;
    }

    public long[] longs() {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) l[i] = (long) values[i];
        return l;
    }

    /** The value of a one-element array (numpy scalars are stored as shape {@code (1,)} in the fixtures). */
    public double scalar() {
        if (values.length != 1) throw new IllegalStateException("not a scalar: shape " + Arrays.toString(shape));
        return values[0];
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
