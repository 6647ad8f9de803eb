package org.cover4j.downstream;

/**
 * The rows (runs along the last axis) of a patch placed at a start corner in an image, clipped to the
 * image: lets the splitter and the merger move whole rows with {@code System.arraycopy}-sized loops
 * instead of computing every voxel's coordinates.
 */
final class SlidingWindowRows {
    private final int[] patch;
    private final int[] shape;
    private final int[] start;
    private final int[] imageStrides;
    private final int rows;
    private final int lo;
    private final int length;

    SlidingWindowRows(int[] patch, int[] shape, int[] start) {
        this.patch = patch;
        this.shape = shape;
        this.start = start;
        int d = patch.length;
        imageStrides = new int[d];
        int st = 1;
        for (int a = d - 1; a >= 0; a--) {
            imageStrides[a] = st;
            st *= shape[a];
        }
        int r = 1;
        for (int a = 0; a < d - 1; a++) r *= patch[a];
        rows = r;
        int last = d - 1;
        lo = Math.max(0, -start[last]);
        int hi = Math.min(patch[last], shape[last] - start[last]);
        length = Math.max(0, hi - lo);
    }

    int count() {
        return rows;
    }

    /** Number of voxels of each row inside the image. */
    int length() {
        return length;
    }

    /** Index in the patch (one channel) of the first in-image voxel of row {@code r}. */
    int patchIndex(int r) {
        return r * patch[patch.length - 1] + lo;
    }

    /** Index in the image (one channel) of that voxel, or -1 when the row lies outside the image. */
    int imageIndex(int r) {
        if (length == 0) return -1;
        int d = patch.length;
        int idx = (start[d - 1] + lo) * imageStrides[d - 1];
        int rem = r;
        for (int a = d - 2; a >= 0; a--) {
            int c = start[a] + rem % patch[a];
            rem /= patch[a];
            if (c < 0 || c >= shape[a]) return -1;
            idx += c * imageStrides[a];
        }
        return idx;
    }
}
