package org.cover4j.metrics;

import java.util.Arrays;

import org.cover4j.util.CoverException;

/**
 * Dice, IoU and HD95 between a predicted and a reference label map (2D or 3D, any spacing).
 *
 * <p>Label maps are C-order {@code int} arrays over {@code shape} with values in {@code [0, numClasses)};
 * class 0 is background. Dice and IoU use MONAI's {@code ignore_empty=False} convention (an absent class
 * that is also predicted absent scores 1); HD95 follows MONAI's {@code compute_hausdorff_distance(
 * percentile=95)} exactly, see {@link SurfaceDistance}. Means run over the foreground classes only.
 */
public final class SegmentationMetrics {
    private SegmentationMetrics() {
    }

    /** Percentile used for the Hausdorff distance. */
    public static final double HD_PERCENTILE = 95.0;

    /**
     * Computes all metrics of one case.
     *
     * @param spacing physical voxel size per axis (e.g. mm); {@code null} means 1 on every axis
     * @throws CoverException when sizes disagree or a label is outside {@code [0, numClasses)}
     */
    public static SegmentationResult compute(int[] pred, int[] truth, int[] shape, double[] spacing, int numClasses) {
        return compute(pred, truth, shape, spacing, numClasses, null);
    }

    /**
     * As {@link #compute(int[], int[], int[], double[], int)}, scoring only the classes with {@code scored[c]}
     * ({@code null}: all): the others get NaN and stay out of the means. For a class number that labels nothing
     * in a whole data set, "empty vs empty = 1" would only raise the mean.
     */
    public static SegmentationResult compute(int[] pred, int[] truth, int[] shape, double[] spacing, int numClasses,
                                             boolean[] scored) {
        Grid g = new Grid(shape);
        if (shape.length < 2 || shape.length > 3) {
            throw new CoverException("label map: expected a 2D or 3D shape, got " + Arrays.toString(shape));
        }
        if (numClasses < 2) throw new CoverException("number of classes must be at least 2 (background + one), got " + numClasses);
        if (pred.length != g.size || truth.length != g.size) {
            throw new CoverException("label maps: prediction has " + pred.length + " voxels and reference " + truth.length
                    + ", shape " + Arrays.toString(shape) + " needs " + g.size);
        }
        double[] sp = spacing;
        if (sp == null) {
            sp = new double[shape.length];
            Arrays.fill(sp, 1.0);
        }
        try {
            SurfaceDistance.checkSpacing(sp, shape.length);
        } catch (IllegalArgumentException e) {
            throw new CoverException("label map: " + e.getMessage());
        }
        checkLabels("prediction", pred, numClasses);
        checkLabels("reference", truth, numClasses);

        long[] inter = new long[numClasses];
        long[] predCount = new long[numClasses];
        long[] truthCount = new long[numClasses];
        for (int i = 0; i < pred.length; i++) {
            predCount[pred[i]]++;
            truthCount[truth[i]]++;
            if (pred[i] == truth[i]) inter[pred[i]]++;
        }
        double[] dice = new double[numClasses];
        double[] iou = new double[numClasses];
        double[] hd95 = new double[numClasses];
        hd95[0] = Double.NaN;
        for (int c = 0; c < numClasses; c++) {
            if (scored != null && !scored[c]) {
                dice[c] = iou[c] = hd95[c] = Double.NaN;
                continue;
            }
            long sum = predCount[c] + truthCount[c];
            dice[c] = sum == 0 ? 1.0 : 2.0 * inter[c] / sum;
            iou[c] = sum == 0 ? 1.0 : (double) inter[c] / (sum - inter[c]);
            if (c > 0) hd95[c] = SurfaceDistance.hausdorff(mask(pred, c), mask(truth, c), shape, sp, HD_PERCENTILE);
        }
        double[] fgDice = Arrays.copyOfRange(dice, 1, numClasses);
        double[] fgIou = Arrays.copyOfRange(iou, 1, numClasses);
        double[] fgHd = Arrays.copyOfRange(hd95, 1, numClasses);
        return new SegmentationResult(dice, iou, hd95, Statistics.nanMean(fgDice), Statistics.nanMean(fgIou),
                Statistics.nanMean(fgHd), Statistics.countNotNaN(fgDice), Statistics.countNotNaN(fgHd));
    }

    private static boolean[] mask(int[] labels, int c) {
        boolean[] m = new boolean[labels.length];
        for (int i = 0; i < labels.length; i++) m[i] = labels[i] == c;
        return m;
    }

    private static void checkLabels(String what, int[] labels, int numClasses) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new CoverException(what + " label map: value " + labels[i] + " at voxel " + i
                        + " is outside [0, " + numClasses + "); is the number of classes right?");
            }
        }
    }
}
