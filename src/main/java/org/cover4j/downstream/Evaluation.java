package org.cover4j.downstream;

import org.cover4j.metrics.ClassificationMetrics;
import org.cover4j.metrics.ClassificationResult;
import org.cover4j.metrics.MetricsWriter;
import org.cover4j.metrics.SegmentationMetrics;
import org.cover4j.metrics.SegmentationResult;
import org.cover4j.metrics.Statistics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model over labelled cases and scores it with the project's metrics (Dice, IoU, spacing-aware HD95;
 * accuracy, balanced accuracy, AUC, sensitivity, specificity); writes {@code per_case.csv} and {@code metrics.json}.
 * Validation during training uses the same code, so the number that picks the best checkpoint is the one
 * {@code evaluate} reports.
 */
public final class Evaluation {
    private Evaluation() {}

    /** Called with each case and its predicted label map, e.g. to write it. */
    @FunctionalInterface
    public interface OnPrediction {
        void accept(Case c, int[] labels, float[] probabilities);
    }

    /** Segmentation results of every case (in order); {@code onPrediction} may be null. */
    public static List<SegmentationResult> segmentation(Predictor predictor, List<Case> cases, int numClasses, OnPrediction onPrediction) {
        List<SegmentationResult> out = new ArrayList<>(cases.size());
        for (Case c : cases) {
            float[] probs = predictor.segmentationProbabilities(c);
            int[] pred = Predictor.argmax(probs, numClasses);
            if (onPrediction != null) onPrediction.accept(c, pred, probs);
            out.add(SegmentationMetrics.compute(pred, c.labels(), c.shape(), c.spacing(), numClasses));
        }
        return out;
    }

    /** Mean over cases of each case's foreground mean Dice ({@code mean_dice} of {@code metrics.json}). */
    public static double meanDice(List<SegmentationResult> results) {
        double[] d = new double[results.size()];
        for (int i = 0; i < d.length; i++) d[i] = results.get(i).meanDice();
        return Statistics.nanMean(d);
    }

    public static void writeSegmentation(Path dir, List<String> ids, List<SegmentationResult> results, Map<String, Object> extra) {
        MetricsWriter.writeSegmentationCsv(dir.resolve("per_case.csv"), ids, results);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", Task.SEG.code());
        summary.putAll(MetricsWriter.segmentationSummary(results));
        if (extra != null) summary.putAll(extra);
        MetricsWriter.writeJson(dir.resolve("metrics.json"), summary);
    }

    /** Classification metrics of predicted probabilities against the cases' classes. */
    public static ClassificationResult classification(List<Case> cases, double[][] probs, int numClasses) {
        return ClassificationMetrics.compute(truth(cases), null, probs, numClasses);
    }

    public static int[] truth(List<Case> cases) {
        int[] t = new int[cases.size()];
        for (int i = 0; i < t.length; i++) t[i] = cases.get(i).classIndex();
        return t;
    }

    public static void writeClassification(Path dir, List<String> ids, int[] truth, double[][] probs, ClassificationResult r,
                                           Map<String, Object> extra) {
        MetricsWriter.writeClassificationCsv(dir.resolve("per_case.csv"), ids, truth, ClassificationMetrics.argmax(probs), probs);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", Task.CLS.code());
        summary.putAll(MetricsWriter.classificationSummary(r));
        if (extra != null) summary.putAll(extra);
        MetricsWriter.writeJson(dir.resolve("metrics.json"), summary);
    }

    /** Creates {@code dir} (and parents) or fails with a message naming it. */
    public static void createDirectories(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw org.cover4j.util.CoverException.file(dir, "cannot create the folder (" + e.getMessage() + ")");
        }
    }

}
