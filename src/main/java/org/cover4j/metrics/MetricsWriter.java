package org.cover4j.metrics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.cover4j.io.AtomicFiles;
import org.cover4j.util.CoverException;

/**
 * Writes evaluation results: one CSV row per case ({@code case,<metrics...>}) and a JSON summary, both
 * atomically. Numbers are written with Java's shortest round-trip form; NaN and infinities appear as
 * {@code NaN} / {@code Infinity} in the CSV (both Java's and Python's {@code float()} parse them) and as the
 * strings {@code "NaN"} / {@code "Infinity"} in the JSON (Jackson's default, keeping the file valid JSON).
 */
public final class MetricsWriter {
    private MetricsWriter() {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Per-case segmentation CSV with columns {@code case, dice, iou, hd95} (foreground means) followed by
     * {@code dice_c, iou_c, hd95_c} for every foreground class {@code c}.
     */
    public static void writeSegmentationCsv(Path file, List<String> caseIds, List<SegmentationResult> results) {
        checkSameSize(caseIds, results.size());
        int k = numClasses(results);
        List<String> header = new ArrayList<>(List.of("case", "dice", "iou", "hd95"));
        for (String m : List.of("dice", "iou", "hd95")) for (int c = 1; c < k; c++) header.add(m + "_" + c);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            SegmentationResult r = results.get(i);
            List<String> row = new ArrayList<>(List.of(caseIds.get(i), num(r.meanDice()), num(r.meanIou()), num(r.meanHd95())));
            for (double[] per : List.of(r.dice(), r.iou(), r.hd95())) for (int c = 1; c < k; c++) row.add(num(per[c]));
            rows.add(row);
        }
        writeCsv(file, header, rows);
    }

    /**
     * Summary over cases: {@code n}; {@code mean_dice}, {@code sd_dice}, {@code mean_iou} (means over cases
     * of each case's foreground mean); {@code mean_hd95} (NaN cases left out, an infinite case makes it
     * infinite, as MONAI), {@code mean_hd95_finite} and {@code hd95_infinite_cases}; and {@code per_class}:
     * class label → mean {@code dice}, {@code iou}, {@code hd95} over cases.
     */
    public static Map<String, Object> segmentationSummary(List<SegmentationResult> results) {
        int k = numClasses(results);
        int n = results.size();
        double[] dice = new double[n];
        double[] iou = new double[n];
        double[] hd = new double[n];
        for (int i = 0; i < n; i++) {
            dice[i] = results.get(i).meanDice();
            iou[i] = results.get(i).meanIou();
            hd[i] = results.get(i).meanHd95();
        }
        int infinite = 0;
        List<Double> finite = new ArrayList<>();
        for (double h : hd) {
            if (Double.isInfinite(h)) infinite++;
            else if (!Double.isNaN(h)) finite.add(h);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("n", n);
        s.put("mean_dice", Statistics.nanMean(dice));
        s.put("sd_dice", Statistics.sd(dice));
        s.put("mean_iou", Statistics.nanMean(iou));
        s.put("mean_hd95", Statistics.nanMean(hd));
        s.put("mean_hd95_finite", Statistics.mean(finite.stream().mapToDouble(Double::doubleValue).toArray()));
        s.put("hd95_infinite_cases", infinite);
        Map<String, Object> perClass = new LinkedHashMap<>();
        for (int c = 1; c < k; c++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dice", Statistics.nanMean(column(results, c, 0)));
            m.put("iou", Statistics.nanMean(column(results, c, 1)));
            m.put("hd95", Statistics.nanMean(column(results, c, 2)));
            perClass.put(Integer.toString(c), m);
        }
        s.put("per_class", perClass);
        return s;
    }

    /** Writes {@link #segmentationSummary(List)} as JSON. */
    public static void writeSegmentationSummary(Path file, List<SegmentationResult> results) {
        writeJson(file, segmentationSummary(results));
    }

    /** Per-case classification CSV: {@code case, truth, pred, prob_0 .. prob_{K-1}} ({@code probs} may be null). */
    public static void writeClassificationCsv(Path file, List<String> caseIds, int[] truth, int[] pred, double[][] probs) {
        checkSameSize(caseIds, truth.length);
        checkSameSize(caseIds, pred.length);
        if (probs != null) checkSameSize(caseIds, probs.length);
        List<String> header = new ArrayList<>(List.of("case", "truth", "pred"));
        int k = probs == null || probs.length == 0 ? 0 : probs[0].length;
        for (int c = 0; c < k; c++) header.add("prob_" + c);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < truth.length; i++) {
            List<String> row = new ArrayList<>(List.of(caseIds.get(i), Integer.toString(truth[i]), Integer.toString(pred[i])));
            for (int c = 0; c < k; c++) row.add(num(probs[i][c]));
            rows.add(row);
        }
        writeCsv(file, header, rows);
    }

    /**
     * Summary: {@code n}, {@code accuracy}, {@code balanced_accuracy}, {@code auc}, {@code sensitivity},
     * {@code specificity} (binary: of class 1; multi-class: macro, see {@link ClassificationResult}), the
     * per-class values and the confusion matrix ({@code [truth][pred]}).
     */
    public static Map<String, Object> classificationSummary(ClassificationResult r) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("n", r.n());
        s.put("accuracy", r.accuracy());
        s.put("balanced_accuracy", r.balancedAccuracy());
        s.put("auc", r.auc());
        s.put("sensitivity", r.sensitivity());
        s.put("specificity", r.specificity());
        s.put("per_class_sensitivity", r.perClassSensitivity());
        s.put("per_class_specificity", r.perClassSpecificity());
        s.put("per_class_auc", r.perClassAuc());
        s.put("confusion", r.confusion());
        return s;
    }

    /** Writes {@link #classificationSummary(ClassificationResult)} as JSON. */
    public static void writeClassificationSummary(Path file, ClassificationResult r) {
        writeJson(file, classificationSummary(r));
    }

    /** Writes any map (of numbers, strings, arrays, lists, maps) as indented JSON. */
    public static void writeJson(Path file, Map<String, ?> content) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(content);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CoverException(file + ": cannot encode summary as JSON (" + e.getOriginalMessage() + ")", e);
        }
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** Writes a CSV (RFC 4180 quoting where a field needs it; {@code \n} line ends). */
    public static void writeCsv(Path file, List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header);
        for (List<String> row : rows) {
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("CSV row has " + row.size() + " fields for " + header.size() + " columns");
            }
            appendRow(sb, row);
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    private static void appendRow(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(',');
            String f = fields.get(i);
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        sb.append('\n');
    }

    private static String num(double v) {
        return Double.toString(v);
    }

    private static double[] column(List<SegmentationResult> results, int c, int metric) {
        double[] v = new double[results.size()];
        for (int i = 0; i < v.length; i++) {
            SegmentationResult r = results.get(i);
            v[i] = (metric == 0 ? r.dice() : metric == 1 ? r.iou() : r.hd95())[c];
        }
        return v;
    }

    private static int numClasses(List<SegmentationResult> results) {
        if (results.isEmpty()) throw new CoverException("segmentation metrics: no cases to summarise");
        int k = results.get(0).numClasses();
        for (SegmentationResult r : results) {
            if (r.numClasses() != k) throw new IllegalArgumentException("cases with " + k + " and " + r.numClasses() + " classes");
        }
        return k;
    }

    private static void checkSameSize(List<String> caseIds, int n) {
        if (caseIds.size() != n) throw new IllegalArgumentException(caseIds.size() + " case ids for " + n + " results");
    }
}
