package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsWriterTest {

    @TempDir
    Path dir;

    private static SegmentationResult seg(double d1, double d2, double h1, double h2) {
        return new SegmentationResult(new double[] {1, d1, d2}, new double[] {1, d1 / 2, d2 / 2},
                new double[] {Double.NaN, h1, h2}, (d1 + d2) / 2, (d1 + d2) / 4,
                Statistics.nanMean(new double[] {h1, h2}), 2, Statistics.countNotNaN(new double[] {h1, h2}));
    }

    @Test
    void segmentationCsvAndSummary() throws Exception {
        List<SegmentationResult> rs = List.of(seg(0.8, 0.6, 2, 4), seg(0.4, 1.0, Double.NaN, 6),
                seg(0.5, 0.5, Double.POSITIVE_INFINITY, 1));
        Path csv = dir.resolve("out/cases.csv");
        MetricsWriter.writeSegmentationCsv(csv, List.of("a", "b,c", "d"), rs);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("case,dice,iou,hd95,dice_1,dice_2,iou_1,iou_2,hd95_1,hd95_2", lines.get(0));
        assertEquals("a,0.7,0.35,3.0,0.8,0.6,0.4,0.3,2.0,4.0", lines.get(1));
        assertTrue(lines.get(2).startsWith("\"b,c\",0.7,"), lines.get(2));
        assertTrue(lines.get(3).endsWith(",Infinity,1.0"), lines.get(3));

        Path json = dir.resolve("summary.json");
        MetricsWriter.writeSegmentationSummary(json, rs);
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        assertEquals(3, s.get("n").asInt());
        assertEquals((0.7 + 0.7 + 0.5) / 3, s.get("mean_dice").asDouble(), 1e-12);
        assertEquals((0.35 + 0.35 + 0.25) / 3, s.get("mean_iou").asDouble(), 1e-12);
        assertEquals("Infinity", s.get("mean_hd95").asText());
        assertEquals((3 + 6) / 2.0, s.get("mean_hd95_finite").asDouble(), 1e-12);
        assertEquals(1, s.get("hd95_infinite_cases").asInt());
        assertEquals((0.8 + 0.4 + 0.5) / 3, s.get("per_class").get("1").get("dice").asDouble(), 1e-12);
        assertEquals((4 + 6 + 1) / 3.0, s.get("per_class").get("2").get("hd95").asDouble(), 1e-12);
        try (var files = Files.list(dir)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count());
        }
    }

    @Test
    void classificationSummary() throws Exception {
        int[] truth = {0, 0, 1, 1};
        double[][] probs = {{0.9, 0.1}, {0.3, 0.7}, {0.2, 0.8}, {0.6, 0.4}};
        ClassificationResult r = ClassificationMetrics.compute(truth, null, probs, 2);
        Path json = dir.resolve("cls.json");
        MetricsWriter.writeClassificationSummary(json, r);
        JsonNode s = new ObjectMapper().readTree(json.toFile());
        assertEquals(4, s.get("n").asInt());
        assertEquals(0.5, s.get("accuracy").asDouble(), 1e-15);
        assertEquals(0.5, s.get("balanced_accuracy").asDouble(), 1e-15);
        // Positives 0.8, 0.4 vs negatives 0.1, 0.7: 0.8 beats both, 0.4 beats 0.1 → 3 of 4 pairs.
        assertEquals(0.75, s.get("auc").asDouble(), 1e-15);
        assertEquals(0.5, s.get("sensitivity").asDouble(), 1e-15);
        assertEquals(0.5, s.get("specificity").asDouble(), 1e-15);
        assertEquals(1, s.get("confusion").get(0).get(1).asInt());

        Path csv = dir.resolve("cls.csv");
        MetricsWriter.writeClassificationCsv(csv, List.of("p1", "p2", "p3", "p4"), truth, ClassificationMetrics.argmax(probs), probs);
        assertEquals(List.of("case,truth,pred,prob_0,prob_1", "p1,0,0,0.9,0.1"), Files.readAllLines(csv).subList(0, 2));
    }
}
