package org.cover4j.metrics;

/**
 * Overlap and surface metrics of one case. Arrays are indexed by class label ({@code 0} = background).
 *
 * @param dice      per-class Dice; both masks empty → 1, exactly one empty → 0
 * @param iou       per-class intersection over union, same empty conventions as Dice
 * @param hd95      per-class 95th-percentile symmetric Hausdorff distance in physical units (MONAI: both
 *                  empty → NaN, one empty → +Infinity); {@code hd95[0]} (background) is NaN, not computed
 * @param meanDice  mean Dice over foreground classes {@code 1..K-1}
 * @param meanIou   mean IoU over foreground classes
 * @param meanHd95  mean HD95 over foreground classes, NaN entries left out (MONAI's nan-aware mean); an
 *                  infinite entry (a missed or hallucinated structure) makes it infinite
 * @param diceCount number of foreground classes that entered {@code meanDice} (and {@code meanIou})
 * @param hd95Count number of foreground classes that entered {@code meanHd95} (non-NaN entries)
 */
public record SegmentationResult(double[] dice, double[] iou, double[] hd95,
                                 double meanDice, double meanIou, double meanHd95,
                                 int diceCount, int hd95Count) {

    /** Number of classes including background. */
    public int numClasses() {
        return dice.length;
    }
}
