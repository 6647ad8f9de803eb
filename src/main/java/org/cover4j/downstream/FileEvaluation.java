package org.cover4j.downstream;

import org.cover4j.data.Entry;
import org.cover4j.data.FileDataset;
import org.cover4j.data.Image;
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

/**
 * Scores prediction files against reference label files matched by file name (as {@code evaluate --pred DIR
 * --labels DIR}): same shape and affine required, Hausdorff distances in the reference's voxel spacing (mm).
 */
public final class FileEvaluation {
    private FileEvaluation() {}

    /** Writes {@code out/per_case.csv} and {@code out/metrics.json}; returns the summary. {@code classes ≤ 0}: from the files. */
    public static Map<String, Object> segmentation(Path predDir, Path labelDir, int classes, boolean binary, Path out) {
        FileDataset ds = PairedFolder.open(predDir, labelDir);
        List<String> ids = new ArrayList<>();
        List<int[]> preds = new ArrayList<>();
        List<int[]> truths = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<double[]> spacings = new ArrayList<>();
        int seen = 0;
        for (int i = 0; i < ds.size(); i++) {
            Entry e = ds.entries().get(i);
            Sample s = ds.get(i); // checks shape and affine, naming the label file
            Image truth = squeeze(s.label(), e.label());
            Image pred = squeeze(s.image(), e.image());
            if (pred.channels() != 1) throw CoverException.file(e.image(), "a prediction must be a single-channel label map, this has " + pred.channels() + " channels");
            int[] p = ImagePrep.labels(pred, classes, binary, e.image());
            int[] t = ImagePrep.labels(truth, classes, binary, e.label());
            for (int v : p) seen = Math.max(seen, v);
            for (int v : t) seen = Math.max(seen, v);
            ids.add(e.id());
            preds.add(p);
            truths.add(t);
            shapes.add(truth.shape());
            spacings.add(truth.spacing());
        }
        int k = classes > 0 ? classes : seen + 1;
        if (k < 2) throw CoverException.usage("--pred/--labels: every file holds only background (0); give --classes K to score empty maps");
        List<SegmentationResult> results = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            results.add(SegmentationMetrics.compute(preds.get(i), truths.get(i), shapes.get(i), spacings.get(i), k));
        }
        Evaluation.createDirectories(out);
        Evaluation.writeSegmentation(out, ids, results, Map.of("pred", predDir.toString(), "labels", labelDir.toString(), "num_classes", k));
        return MetricsWriter.segmentationSummary(results);
    }

    /** Drops singleton axes beyond the third so that the metrics get a 2D or 3D grid. */
    private static Image squeeze(Image img, Path file) {
        if (img.ndim() <= 3) return img;
        long kept = java.util.Arrays.stream(img.shape()).filter(s -> s > 1).count();
        return ImagePrep.toDims(img, (int) Math.max(2, Math.min(3, kept)), file);
    }
}
