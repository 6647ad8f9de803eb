package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

class SegmentationMetricsTest {

    /** Label map of {@code shape} with {@code label} in the box {@code [lo, hi)}, added onto {@code map}. */
    static int[] box(int[] map, int[] shape, int[] lo, int[] hi, int label) {
        Grid g = new Grid(shape);
        for (int i = 0; i < g.size; i++) {
            boolean in = true;
            for (int a = 0; a < shape.length; a++) in &= g.coord(i, a) >= lo[a] && g.coord(i, a) < hi[a];
            if (in) map[i] = label;
        }
        return map;
    }

    @Test
    void squaresOffsetByTwoColumns() {
        // 4x4 squares, the reference shifted right by 2: overlap 4x2 = 8 of 16 + 16 voxels.
        int[] shape = {12, 12};
        int[] pred = box(new int[144], shape, new int[] {2, 2}, new int[] {6, 6}, 1);
        int[] truth = box(new int[144], shape, new int[] {2, 4}, new int[] {6, 8}, 1);
        SegmentationResult r = SegmentationMetrics.compute(pred, truth, shape, null, 2);
        assertEquals(0.5, r.dice()[1], 1e-15);
        assertEquals(8.0 / 24.0, r.iou()[1], 1e-15);
        // Directed distances (by hand) pred→ref surface: left column 4×2, right column 0,1,1,0, top/bottom
        // inner voxels (2,3),(5,3) → 1, (2,4),(5,4) → 0. Sorted: 0×4, 1×4, 2×4; the 95th percentile at
        // rank 10.45 lies between two 2s. The reverse direction is the mirror image.
        assertEquals(2.0, r.hd95()[1], 1e-12);
        assertEquals(0.5, r.meanDice(), 1e-15);
        assertEquals(2.0, r.meanHd95(), 1e-12);
        assertEquals(1, r.diceCount());
        // Background: 144 - 16 voxels each, 144 - 24 shared.
        assertEquals(2.0 * 120 / 256, r.dice()[0], 1e-15);
        assertTrue(Double.isNaN(r.hd95()[0]));
    }

    @Test
    void isolatedVoxelInterpolatesThePercentileAndFollowsSpacing() {
        // Reference = the prediction's 4x4 square plus a lone voxel at (9, 9). Pred→ref distances are all 0.
        // Ref→pred: twelve 0s and the lone voxel's distance to the square's corner (5, 5). numpy's linear
        // percentile at rank 0.95 * 12 = 11.4 gives 0.4 * d.
        int[] shape = {12, 12};
        int[] pred = box(new int[144], shape, new int[] {2, 2}, new int[] {6, 6}, 1);
        int[] truth = pred.clone();
        truth[9 * 12 + 9] = 1;
        SegmentationResult iso = SegmentationMetrics.compute(pred, truth, shape, new double[] {1, 1}, 2);
        assertEquals(0.4 * Math.sqrt(32), iso.hd95()[1], 1e-12);
        assertEquals(32.0 / 33.0, iso.dice()[1], 1e-15);
        assertEquals(16.0 / 17.0, iso.iou()[1], 1e-15);
        // Rows 2 mm, columns 1 mm: the corner is (4 * 2, 4 * 1) mm away.
        SegmentationResult aniso = SegmentationMetrics.compute(pred, truth, shape, new double[] {2, 1}, 2);
        assertEquals(0.4 * Math.sqrt(80), aniso.hd95()[1], 1e-12);
        // The plain Hausdorff distance (100th percentile) is the corner distance itself.
        boolean[] a = new boolean[144];
        boolean[] b = new boolean[144];
        for (int i = 0; i < 144; i++) {
            a[i] = pred[i] == 1;
            b[i] = truth[i] == 1;
        }
        assertEquals(Math.sqrt(80), SurfaceDistance.hausdorff(a, b, shape, new double[] {2, 1}, 100), 1e-12);
    }

    @Test
    void cubesShiftedAlongTheCoarseAxis3d() {
        // 3x3x3 cubes, the reference shifted by 2 along axis 2 (2 mm spacing). Pred surface: the z=2 face
        // (9 voxels) is 2 voxels = 4 mm from the reference's z=4 face, the z=3 ring (8) 2 mm, the z=4 face 0.
        // 95th percentile of (0×9, 2×8, 4×9) = 4; the reverse direction is symmetric.
        int[] shape = {8, 8, 10};
        int[] pred = box(new int[640], shape, new int[] {2, 2, 2}, new int[] {5, 5, 5}, 1);
        int[] truth = box(new int[640], shape, new int[] {2, 2, 4}, new int[] {5, 5, 7}, 1);
        SegmentationResult r = SegmentationMetrics.compute(pred, truth, shape, new double[] {0.5, 1.0, 2.0}, 2);
        assertEquals(18.0 / 54.0, r.dice()[1], 1e-15);
        assertEquals(9.0 / 45.0, r.iou()[1], 1e-15);
        assertEquals(4.0, r.hd95()[1], 1e-12);
        SegmentationResult unit = SegmentationMetrics.compute(pred, truth, shape, null, 2);
        assertEquals(2.0, unit.hd95()[1], 1e-12);
    }

    @Test
    void ellipsoidsMatchScipyReference() {
        // Values from scipy 1.17 / numpy 2.4, reproducing MONAI's recipe: surface = binary_erosion(m) ^ m,
        // distance_transform_edt(~surface, sampling=spacing), np.percentile(.., 95), max of both directions.
        int[] shape3 = {12, 14, 10};
        int[] a3 = ellipse(shape3, new double[] {5.5, 6, 4.5}, new double[] {4, 5, 3});
        int[] b3 = ellipse(shape3, new double[] {6.2, 7.1, 5}, new double[] {3.5, 4.5, 3.2});
        SegmentationResult r3 = SegmentationMetrics.compute(a3, b3, shape3, new double[] {1.5, 0.8, 2.5}, 2);
        assertEquals(2.0 * 176 / (244 + 219), r3.dice()[1], 1e-15); // scipy: 244, 219 voxels, 176 shared
        assertEquals(2.5, r3.hd95()[1], 1e-12);
        boolean[] ma = mask(a3);
        boolean[] mb = mask(b3);
        assertEquals(2.8301943396169813, SurfaceDistance.hausdorff(ma, mb, shape3, new double[] {1.5, 0.8, 2.5}, 100), 1e-12);
        assertEquals(Math.sqrt(2), SurfaceDistance.hausdorff(ma, mb, shape3, new double[] {1, 1, 1}, 95), 1e-12);

        int[] shape2 = {20, 17};
        int[] a2 = ellipse(shape2, new double[] {9.3, 8}, new double[] {7, 5.5});
        int[] b2 = ellipse(shape2, new double[] {10, 7.2}, new double[] {6.1, 6.4});
        SegmentationResult r2 = SegmentationMetrics.compute(a2, b2, shape2, new double[] {0.7, 1.3}, 2);
        assertEquals(2.0 * 109 / (124 + 123), r2.dice()[1], 1e-15);
        assertEquals(2.6, r2.hd95()[1], 1e-12);
    }

    @Test
    void emptyMasksFollowMonai() {
        // Class 1 present in both, class 2 absent from both, class 3 only in the prediction.
        int[] shape = {6, 6};
        int[] pred = box(new int[36], shape, new int[] {0, 0}, new int[] {3, 3}, 1);
        box(pred, shape, new int[] {4, 4}, new int[] {6, 6}, 3);
        int[] truth = box(new int[36], shape, new int[] {0, 0}, new int[] {3, 3}, 1);
        SegmentationResult r = SegmentationMetrics.compute(pred, truth, shape, null, 4);
        assertEquals(1.0, r.dice()[1]);
        assertEquals(0.0, r.hd95()[1]);
        assertEquals(1.0, r.dice()[2]);
        assertEquals(1.0, r.iou()[2]);
        assertTrue(Double.isNaN(r.hd95()[2]));
        assertEquals(0.0, r.dice()[3]);
        assertEquals(0.0, r.iou()[3]);
        assertEquals(Double.POSITIVE_INFINITY, r.hd95()[3]);
        assertEquals(2.0 / 3.0, r.meanDice(), 1e-15);
        assertEquals(3, r.diceCount());
        assertEquals(2, r.hd95Count()); // the NaN of class 2 is left out, the infinity kept
        assertEquals(Double.POSITIVE_INFINITY, r.meanHd95());
    }

    @Test
    void surfaceCountsTheImageBorderAsOutside() {
        boolean[] full = new boolean[9];
        java.util.Arrays.fill(full, true);
        boolean[] s = SurfaceDistance.surface(full, new int[] {3, 3});
        int n = 0;
        for (boolean b : s) if (b) n++;
        assertEquals(8, n);
        assertTrue(!s[4]);
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        int[] shape = {4, 4};
        CoverException e = assertThrows(CoverException.class,
                () -> SegmentationMetrics.compute(new int[16], new int[15], shape, null, 2));
        assertTrue(e.getMessage().contains("15"), e.getMessage());
        int[] bad = new int[16];
        bad[5] = 7;
        e = assertThrows(CoverException.class, () -> SegmentationMetrics.compute(bad, new int[16], shape, null, 3));
        assertTrue(e.getMessage().contains("value 7"), e.getMessage());
        assertThrows(CoverException.class, () -> SegmentationMetrics.compute(new int[16], new int[16], shape, new double[] {1, -1}, 2));
    }

    static int[] ellipse(int[] shape, double[] c, double[] r) {
        Grid g = new Grid(shape);
        int[] m = new int[g.size];
        for (int i = 0; i < g.size; i++) {
            double s = 0;
            for (int a = 0; a < shape.length; a++) {
                double t = (g.coord(i, a) - c[a]) / r[a];
                s += t * t;
            }
            m[i] = s <= 1.0 ? 1 : 0;
        }
        return m;
    }

    static boolean[] mask(int[] labels) {
        boolean[] m = new boolean[labels.length];
        for (int i = 0; i < m.length; i++) m[i] = labels[i] == 1;
        return m;
    }
}
