package org.cover4j.metrics;

import java.util.Arrays;

/**
 * Surface-distance metrics between two binary masks, following MONAI's
 * {@code compute_hausdorff_distance(percentile=..., directed=False)}.
 *
 * <ul>
 *   <li>Surface: the voxels of a mask that have an axis neighbour (4-neighbourhood in 2D, 6 in 3D) outside
 *       the mask; neighbours beyond the image border count as outside (MONAI's {@code get_mask_edges}:
 *       {@code binary_erosion(mask) ^ mask} with border value 0).</li>
 *   <li>Directed distances: for every surface voxel of A, the physical distance to the nearest surface voxel
 *       of B (exact Euclidean distance transform of B's surface, with the voxel spacing).</li>
 *   <li>The result is the larger of the two directed percentiles, each with numpy's linear interpolation.</li>
 *   <li>Empty masks (MONAI's values): both empty → NaN; exactly one empty → +Infinity.</li>
 * </ul>
 */
public final class SurfaceDistance {
    private SurfaceDistance() {
    }

    /**
     * Symmetric percentile Hausdorff distance in physical units; {@code percentile} in [0, 100]
     * (95 for HD95, 100 for the classic Hausdorff distance).
     */
    public static double hausdorff(boolean[] a, boolean[] b, int[] shape, double[] spacing, double percentile) {
        Grid g = new Grid(shape);
        checkSpacing(spacing, g.ndim());
        if (a.length != g.size || b.length != g.size) {
            throw new IllegalArgumentException("mask lengths " + a.length + ", " + b.length + " != shape " + Arrays.toString(shape));
        }
        boolean[] ea = surface(a, g);
        boolean[] eb = surface(b, g);
        int[] lo = new int[g.ndim()];
        int[] hi = new int[g.ndim()];
        boolean anyA = boundingBox(ea, g, lo, hi, false);
        boolean anyB = boundingBox(eb, g, lo, hi, anyA);
        if (!anyA && !anyB) return Double.NaN;
        if (!anyA || !anyB) return Double.POSITIVE_INFINITY;
        // Every surface voxel lies in the box, so distances computed inside it are the exact global ones.
        int[] sub = Grid.extent(lo, hi);
        boolean[] ca = g.crop(ea, lo, hi);
        boolean[] cb = g.crop(eb, lo, hi);
        double ab = Statistics.percentile(directed(ca, cb, sub, spacing), percentile);
        double ba = Statistics.percentile(directed(cb, ca, sub, spacing), percentile);
        return Math.max(ab, ba);
    }

    static void checkSpacing(double[] spacing, int ndim) {
        if (spacing == null || spacing.length != ndim) {
            throw new IllegalArgumentException("spacing " + Arrays.toString(spacing) + " needs " + ndim + " entries");
        }
        for (double s : spacing) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("spacing " + Arrays.toString(spacing) + " must be positive and finite");
            }
        }
    }

    /** Distances from each {@code true} voxel of {@code from} to the nearest {@code true} voxel of {@code to}. */
    static double[] directed(boolean[] from, boolean[] to, int[] shape, double[] spacing) {
        double[] d2 = DistanceTransform.squared(to, shape, spacing);
        int n = 0;
        for (boolean f : from) if (f) n++;
        double[] out = new double[n];
        int k = 0;
        for (int i = 0; i < from.length; i++) if (from[i]) out[k++] = Math.sqrt(d2[i]);
        return out;
    }

    /** Surface voxels of {@code mask} (see the class comment). */
    public static boolean[] surface(boolean[] mask, int[] shape) {
        Grid g = new Grid(shape);
        if (mask.length != g.size) {
            throw new IllegalArgumentException("mask length " + mask.length + " != shape " + Arrays.toString(shape));
        }
        return surface(mask, g);
    }

    private static boolean[] surface(boolean[] mask, Grid g) {
        boolean[] edge = new boolean[g.size];
        for (int i = 0; i < g.size; i++) {
            if (!mask[i]) continue;
            for (int a = 0; a < g.ndim() && !edge[i]; a++) {
                int c = g.coord(i, a);
                int st = g.strides[a];
                edge[i] = c == 0 || c == g.shape[a] - 1 || !mask[i - st] || !mask[i + st];
            }
        }
        return edge;
    }

    /** Grows {@code [lo, hi)} (or starts it, when {@code !merge}) to hold every true voxel; false if none. */
    private static boolean boundingBox(boolean[] m, Grid g, int[] lo, int[] hi, boolean merge) {
        if (!merge) {
            Arrays.fill(lo, Integer.MAX_VALUE);
            Arrays.fill(hi, Integer.MIN_VALUE);
        }
        boolean any = false;
        for (int i = 0; i < g.size; i++) {
            if (!m[i]) continue;
            any = true;
            for (int a = 0; a < g.ndim(); a++) {
                int c = g.coord(i, a);
                lo[a] = Math.min(lo[a], c);
                hi[a] = Math.max(hi[a], c + 1);
            }
        }
        return any;
    }
}
