package org.cover4j.downstream;

import org.cover4j.data.Entry;
import org.cover4j.data.FileDataset;
import org.cover4j.io.Image;
import org.cover4j.data.PairedFolder;
import org.cover4j.data.Sample;
import org.cover4j.metrics.MetricsWriter;
import org.cover4j.metrics.SegmentationMetrics;
import org.cover4j.metrics.SegmentationResult;
import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Scores prediction files against reference label files matched by file name (as {@code evaluate --pred DIR
 * --labels DIR}): same shape and affine required, Hausdorff distances in the reference's voxel spacing (mm).
 */
public final class FileEvaluation {
    private FileEvaluation() {}

    /**
     * Writes {@code out/per_case.csv} and {@code out/metrics.json}; returns the summary. {@code classes ≤ 0}: the
     * classes are inferred from the files (largest value in labels and predictions + 1), a class number found in
     * no file is left unscored, and {@code warn} gets one line per value found on one side only (a stray label,
     * a class the model never predicts or invents).
     */
    public static Map<String, Object> segmentation(Path predDir, Path labelDir, int classes, boolean binary, Path out,
                                                   Consumer<String> warn) {
        FileDataset ds = PairedFolder.open(predDir, labelDir);
        List<String> ids = new ArrayList<>();
        List<int[]> preds = new ArrayList<>();
        List<int[]> truths = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<double[]> spacings = new ArrayList<>();
        TreeMap<Integer, Path> inLabels = new TreeMap<>(); // each value -> the first file holding it
        TreeMap<Integer, Path> inPreds = new TreeMap<>();
        for (int i = 0; i < ds.size(); i++) {
            Entry e = ds.entries().get(i);
            Sample s = ds.get(i); // checks shape and affine, naming the label file
            Image truth = squeeze(s.label(), e.label());
            Image pred = squeeze(s.image(), e.image());
            if (pred.channels() != 1) throw CoverException.file(e.image(), "a prediction must be a single-channel label map, this has " + pred.channels() + " channels");
            int[] p = ImagePrep.labels(pred, classes, binary, e.image());
            int[] t = ImagePrep.labels(truth, classes, binary, e.label());
            for (int v : p) inPreds.putIfAbsent(v, e.image());
            for (int v : t) inLabels.putIfAbsent(v, e.label());
            ids.add(e.id());
            preds.add(p);
            truths.add(t);
            shapes.add(truth.shape());
            spacings.add(truth.spacing());
        }
        int seen = Math.max(inLabels.isEmpty() ? 0 : inLabels.lastKey(), inPreds.isEmpty() ? 0 : inPreds.lastKey());
        int k = classes > 0 ? classes : seen + 1;
        if (k < 2) throw CoverException.usage("--pred/--labels: every file holds only background (0); give --classes K to score empty maps");
        boolean[] scored = null;
        if (classes <= 0) {
            scored = new boolean[k];
            for (int c = 0; c < k; c++) scored[c] = inLabels.containsKey(c) || inPreds.containsKey(c);
            reportOneSided(inLabels, inPreds, scored, warn);
        }
        List<SegmentationResult> results = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            results.add(SegmentationMetrics.compute(preds.get(i), truths.get(i), shapes.get(i), spacings.get(i), k, scored));
        }
        Evaluation.createDirectories(out);
        Evaluation.writeSegmentation(out, ids, results, Map.of("pred", predDir.toString(), "labels", labelDir.toString(), "num_classes", k));
        return MetricsWriter.segmentationSummary(results);
    }

    /** One warning line per kind of mismatch between the values of the labels and of the predictions. */
    private static void reportOneSided(Map<Integer, Path> inLabels, Map<Integer, Path> inPreds, boolean[] scored,
                                       Consumer<String> warn) {
        List<Integer> nowhere = new ArrayList<>();
        for (int c = 1; c < scored.length; c++) if (!scored[c]) nowhere.add(c);
        if (!nowhere.isEmpty()) {
            warn.accept("warning: --pred/--labels: " + plural("class", nowhere) + " " + join(nowhere) + " "
                    + (nowhere.size() == 1 ? "occurs" : "occur") + " in no label map and no prediction: not scored"
                    + " (give --classes K to score every class 0..K-1)");
        }
        List<Integer> neverPredicted = new ArrayList<>(inLabels.keySet());
        neverPredicted.removeAll(inPreds.keySet());
        if (!neverPredicted.isEmpty()) {
            warn.accept("warning: --pred/--labels: " + plural("label value", neverPredicted) + " " + join(neverPredicted)
                    + " never predicted (first " + neverPredicted.get(0) + " in " + inLabels.get(neverPredicted.get(0))
                    + "); stray label values lower the Dice");
        }
        List<Integer> notInLabels = new ArrayList<>(inPreds.keySet());
        notInLabels.removeAll(inLabels.keySet());
        if (!notInLabels.isEmpty()) {
            warn.accept("warning: --pred/--labels: " + plural("predicted value", notInLabels) + " " + join(notInLabels)
                    + " in no label map (first " + notInLabels.get(0) + " in " + inPreds.get(notInLabels.get(0)) + ")");
        }
    }

    private static String plural(String noun, List<Integer> values) {
        return values.size() == 1 ? noun : noun + "s";
    }

    private static String join(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /** Drops singleton axes beyond the third so that the metrics get a 2D or 3D grid. */
    private static Image squeeze(Image img, Path file) {
        if (img.ndim() <= 3) return img;
        long kept = java.util.Arrays.stream(img.shape()).filter(s -> s > 1).count();
        return ImagePrep.toDims(img, (int) Math.max(2, Math.min(3, kept)), file);
    }
}
