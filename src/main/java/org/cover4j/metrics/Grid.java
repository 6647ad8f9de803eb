package org.cover4j.metrics;

import java.util.Arrays;

import org.cover4j.util.CoverException;

/**
 * Index arithmetic for a C-order array of any dimension (last axis fastest): strides, coordinates,
 * neighbours and sub-box extraction. Shared by the surface extraction and the distance transform so that
 * 2D and 3D go through one code path.
 */
final class Grid {
    final int[] shape;
    final int[] strides;
    final int size;

    Grid(int[] shape) {
        if (shape == null || shape.length == 0) throw new CoverException("label map: empty shape");
        this.shape = shape.clone();
        this.strides = new int[shape.length];
        long n = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            if (shape[a] <= 0) throw new CoverException("label map: non-positive dimension in " + Arrays.toString(shape));
            strides[a] = (int) Math.min(n, Integer.MAX_VALUE);
            n *= shape[a];
            if (n > Integer.MAX_VALUE - 8) {
                throw new CoverException("label map: shape " + Arrays.toString(shape) + " has more than 2^31 voxels");
            }
        }
        this.size = (int) n;
    }

    int ndim() {
        return shape.length;
    }

    /** Coordinate of flat index {@code i} along {@code axis}. */
    int coord(int i, int axis) {
        return (i / strides[axis]) % shape[axis];
    }

    /**
     * Copies the box {@code [lo, hi)} (per axis) of {@code src} into a new C-order array; used to shrink the
     * distance transform to the region that holds all surface voxels, which keeps distances exact.
     */
    boolean[] crop(boolean[] src, int[] lo, int[] hi) {
        Grid sub = new Grid(extent(lo, hi));
        boolean[] dst = new boolean[sub.size];
        for (int j = 0; j < sub.size; j++) {
            int i = 0;
            for (int a = 0; a < shape.length; a++) i += (sub.coord(j, a) + lo[a]) * strides[a];
            dst[j] = src[i];
        }
        return dst;
    }

    static int[] extent(int[] lo, int[] hi) {
        int[] e = new int[lo.length];
        for (int a = 0; a < lo.length; a++) e[a] = hi[a] - lo[a];
        return e;
    }
}
