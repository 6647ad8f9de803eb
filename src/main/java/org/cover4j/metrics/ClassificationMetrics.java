package org.cover4j.metrics;

import org.cover4j.util.CoverException;

/**
 * Accuracy, balanced accuracy, sensitivity, specificity, confusion matrix and ROC AUC of a classifier.
 * AUC is the Mann–Whitney statistic (the probability that a random positive scores above a random
 * negative, ties counted one half), which equals the trapezoidal area under the ROC curve.
 */
public final class ClassificationMetrics {
    private ClassificationMetrics() {
    }

    /**
     * Computes every metric.
     *
     * @param truth      reference labels in {@code [0, numClasses)}
     * @param pred       predicted labels; {@code null} to take the arg-max of {@code probs}
     * @param probs      {@code probs[case][class]} scores (need not sum to 1); {@code null} gives NaN AUCs
     * @param numClasses number of classes (at least 2)
     */
    public static ClassificationResult compute(int[] truth, int[] pred, double[][] probs, int numClasses) {
        if (numClasses < 2) throw new CoverException("classification needs at least 2 classes, got " + numClasses);
        int n = truth.length;
        if (n == 0) throw new CoverException("classification metrics: no cases");
        if (pred == null && probs == null) throw new IllegalArgumentException("need predictions or probabilities");
        if (probs != null) {
            if (probs.length != n) throw new CoverException("classification metrics: " + probs.length + " probability rows for " + n + " cases");
            for (int i = 0; i < n; i++) {
                if (probs[i].length != numClasses) {
                    throw new CoverException("classification metrics: case " + i + " has " + probs[i].length
                            + " probabilities for " + numClasses + " classes");
                }
            }
        }
        int[] p = pred != null ? pred : argmax(probs);
        if (p.length != n) throw new CoverException("classification metrics: " + p.length + " predictions for " + n + " cases");
        checkLabels("reference", truth, numClasses);
        checkLabels("predicted", p, numClasses);

        long[][] cm = new long[numClasses][numClasses];
        long correct = 0;
        for (int i = 0; i < n; i++) {
            cm[truth[i]][p[i]]++;
            if (truth[i] == p[i]) correct++;
        }
        double[] sens = new double[numClasses];
        double[] spec = new double[numClasses];
        double[] auc = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            long tp = cm[c][c];
            long actual = 0;
            long predicted = 0;
            for (int k = 0; k < numClasses; k++) {
                actual += cm[c][k];
                predicted += cm[k][c];
            }
            long fp = predicted - tp;
            long tn = n - actual - fp;
            sens[c] = actual == 0 ? Double.NaN : (double) tp / actual;
            spec[c] = n - actual == 0 ? Double.NaN : (double) tn / (n - actual);
            auc[c] = probs == null ? Double.NaN : rocAuc(truth, column(probs, c), c);
        }
        boolean binary = numClasses == 2;
        return new ClassificationResult(n, cm, (double) correct / n, Statistics.nanMean(sens), sens, spec, auc,
                binary ? sens[1] : Statistics.nanMean(sens),
                binary ? sens[0] : Statistics.nanMean(spec),
                binary ? auc[1] : Statistics.nanMean(auc));
    }

    /**
     * ROC AUC of {@code scores} for "label == positive" against the rest, by the rank-sum (Mann–Whitney U)
     * formula with average ranks for ties; NaN when either group is empty.
     */
    public static double rocAuc(int[] labels, double[] scores, int positive) {
        double[] r = Statistics.ranks(scores);
        long pos = 0;
        double rankSum = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == positive) {
                pos++;
                rankSum += r[i];
            }
        }
        long neg = labels.length - pos;
        if (pos == 0 || neg == 0) return Double.NaN;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }

    private static double[] column(double[][] m, int c) {
        double[] v = new double[m.length];
        for (int i = 0; i < m.length; i++) v[i] = m[i][c];
        return v;
    }

    /** Arg-max per row; the first maximum wins (numpy's convention). */
    public static int[] argmax(double[][] probs) {
        int[] out = new int[probs.length];
        for (int i = 0; i < probs.length; i++) {
            int best = 0;
            for (int c = 1; c < probs[i].length; c++) if (probs[i][c] > probs[i][best]) best = c;
            out[i] = best;
        }
        return out;
    }

    private static void checkLabels(String what, int[] labels, int numClasses) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new CoverException(what + " label " + labels[i] + " of case " + i + " is outside [0, " + numClasses + ")");
            }
        }
    }
}
