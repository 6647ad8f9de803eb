package org.cover4j.cli;

import org.cover4j.io.Image;
import org.cover4j.io.MedicalImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.cover4j.cli.DownstreamFixtures.json;
import static org.cover4j.cli.DownstreamFixtures.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cover4j evaluate} in both forms, checked against Dice and HD95 computed here by hand. */
class EvaluateCommandTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path model;
    static Path predictions;

    @BeforeAll
    static void setUp() {
        data = DownstreamFixtures.seg2d(shared.resolve("seg"), 4, 3, 48);
        model = shared.resolve("model");
        CliRunner.Run r = CliRunner.run(seg(data, model, 6, "--lr", "1e-3"));
        assertEquals(0, r.code(), r.err());
        predictions = shared.resolve("pred");
        r = CliRunner.run("predict", "--model", model.toString(), "--input", data.resolve("test/images").toString(),
                "--out", predictions.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
    }

    /** Mean over cases of the mean foreground Dice, empty-vs-empty = 1, computed from the files. */
    static double independentMeanDice(Path predDir, Path labelDir, int k) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(labelDir)) {
            files = s.sorted().toList();
        }
        double total = 0;
        for (Path label : files) {
            float[] t = MedicalImages.read(label).data();
            float[] p = MedicalImages.read(predDir.resolve(label.getFileName())).data();
            double caseSum = 0;
            for (int c = 1; c < k; c++) {
                long inter = 0, np = 0, nt = 0;
                for (int i = 0; i < t.length; i++) {
                    boolean a = p[i] == c, b = t[i] == c;
                    if (a) np++;
                    if (b) nt++;
                    if (a && b) inter++;
                }
                caseSum += np + nt == 0 ? 1.0 : 2.0 * inter / (np + nt);
            }
            total += caseSum / (k - 1);
        }
        return total / files.size();
    }

    @Test
    void predictionFilesAgainstLabelFilesGiveTheDiceComputedByHand(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("eval");
        CliRunner.Run r = CliRunner.run("evaluate", "--pred", predictions.toString(), "--labels", data.resolve("test/labels").toString(),
                "--classes", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = json(out.resolve("metrics.json"));
        double expected = independentMeanDice(predictions, data.resolve("test/labels"), 5);
        assertEquals(expected, ((Number) m.get("mean_dice")).doubleValue(), 1e-12);
        assertEquals(3, m.get("n"));
        List<String> rows = Files.readAllLines(out.resolve("per_case.csv"));
        assertEquals(4, rows.size());
        assertTrue(rows.get(0).startsWith("case,dice,iou,hd95,dice_1"), rows.get(0));
        assertTrue(rows.get(1).startsWith("case_200,"), rows.get(1));
    }

    @Test
    void modelOnLabelledDataScoresWhatItsPredictionsScore(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("eval");
        CliRunner.Run r = CliRunner.run("evaluate", "--model", model.toString(), "--data", data.resolve("test").toString(),
                "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        double viaModel = ((Number) json(out.resolve("metrics.json")).get("mean_dice")).doubleValue();
        assertEquals(independentMeanDice(predictions, data.resolve("test/labels"), 5), viaModel, 1e-12);
        assertTrue(r.out().contains("mean_dice"), r.out());
    }

    @Test
    void hausdorffUsesTheLabelsSpacing(@TempDir Path tmp) throws Exception {
        // A band of rows 2..4 against the same band shifted by one row; rows are 2.5 mm apart, columns 1 mm.
        // Every boundary pixel of one band is one row (2.5 mm) from the other's boundary, except the 4 pixels on
        // the image's left/right edges that the two bands share (distance 0): 18 of 22 distances are 2.5 mm in
        // each direction, so the 95th percentile, and HD95, is 2.5 (it would be 1.0 in pixels).
        float[] truth = new float[100];
        float[] pred = new float[100];
        for (int c = 0; c < 10; c++) {
            for (int r = 2; r <= 4; r++) truth[r * 10 + c] = 1;
            for (int r = 3; r <= 5; r++) pred[r * 10 + c] = 1;
        }
        double[][] affine = {{2.5, 0, 0, -10}, {0, 1, 0, 5}, {0, 0, 1, 0}, {0, 0, 0, 1}};
        Files.createDirectories(tmp.resolve("p"));
        Files.createDirectories(tmp.resolve("l"));
        MedicalImages.write(tmp.resolve("p/band.nii.gz"), new Image(pred, 1, new int[] {10, 10}, new double[] {2.5, 1}, affine, "memory", "uint8"));
        MedicalImages.write(tmp.resolve("l/band.nii.gz"), new Image(truth, 1, new int[] {10, 10}, new double[] {2.5, 1}, affine, "memory", "uint8"));
        CliRunner.Run r = CliRunner.run("evaluate", "--pred", tmp.resolve("p").toString(), "--labels", tmp.resolve("l").toString(),
                "--out", tmp.resolve("e").toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = json(tmp.resolve("e/metrics.json"));
        assertEquals(2.5, ((Number) m.get("mean_hd95")).doubleValue(), 1e-9);
        assertEquals(2.0 * 20 / 60, ((Number) m.get("mean_dice")).doubleValue(), 1e-12, "overlap rows 3,4 of 3+3 rows");
    }

    /** Writes a 4x4 uint8 label map given row by row. */
    private static void labelMap(Path file, String... rows) throws Exception {
        float[] v = new float[16];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) v[r * 4 + c] = rows[r].charAt(c) - '0';
        }
        Files.createDirectories(file.getParent());
        MedicalImages.write(file, new Image(v, 1, new int[] {4, 4}, new double[] {1, 1}, null, "memory", "uint8"));
    }

    @Test
    void aClassThatOccursNowhereIsNotScoredAsAPerfectMatch(@TempDir Path tmp) throws Exception {
        // Labels use 0, 1 and 3 (2 is skipped). Class 1: perfect (Dice 1). Class 3: 1 predicted voxel of 3 (Dice
        // 2*1/(1+3) = 0.5). Class 2 occurs in no file: scoring it as "empty vs empty = 1" gave (1+1+0.5)/3 = 0.833.
        labelMap(tmp.resolve("l/a.png"), "1111", "3330", "0000", "0000");
        labelMap(tmp.resolve("p/a.png"), "1111", "3000", "0000", "0000");
        CliRunner.Run r = CliRunner.run("evaluate", "--pred", tmp.resolve("p").toString(), "--labels", tmp.resolve("l").toString(),
                "--out", tmp.resolve("e").toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> m = json(tmp.resolve("e/metrics.json"));
        assertEquals(0.75, ((Number) m.get("mean_dice")).doubleValue(), 1e-12);
        assertEquals(4, m.get("num_classes"));
        assertTrue(r.err().contains("class 2 occurs in no label map and no prediction") && r.err().contains("--classes"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());

        // Declared with --classes, every class counts, as documented (empty vs empty = 1), and nothing is said.
        r = CliRunner.run("evaluate", "--pred", tmp.resolve("p").toString(), "--labels", tmp.resolve("l").toString(),
                "--classes", "4", "--out", tmp.resolve("e4").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(2.5 / 3, ((Number) json(tmp.resolve("e4/metrics.json")).get("mean_dice")).doubleValue(), 1e-12);
        assertEquals("", r.err());
    }

    @Test
    void labelValuesNeverPredictedAndPredictedValuesAbsentFromTheLabelsAreReported(@TempDir Path tmp) throws Exception {
        // A stray 2 in the second label map, never predicted; a 3 predicted where no label has one.
        labelMap(tmp.resolve("l/a.png"), "1100", "0000", "0000", "0000");
        labelMap(tmp.resolve("p/a.png"), "1100", "0000", "0000", "0000");
        labelMap(tmp.resolve("l/b.png"), "1100", "0000", "0000", "0002");
        labelMap(tmp.resolve("p/b.png"), "1100", "0000", "0000", "3000");
        CliRunner.Run r = CliRunner.run("evaluate", "--pred", tmp.resolve("p").toString(), "--labels", tmp.resolve("l").toString(),
                "--out", tmp.resolve("e").toString());
        assertEquals(0, r.code(), r.err());
        List<String> warnings = r.err().lines().toList();
        assertEquals(2, warnings.size(), r.err());
        assertTrue(warnings.get(0).contains("label value 2") && warnings.get(0).contains("never predicted")
                && warnings.get(0).contains(tmp.resolve("l/b.png").toString()), warnings.get(0));
        assertTrue(warnings.get(1).contains("predicted value 3") && warnings.get(1).contains("in no label map")
                && warnings.get(1).contains(tmp.resolve("p/b.png").toString()), warnings.get(1));
        // Both occur somewhere, so both are scored: a: class 1 = 1, classes 2, 3 empty = 1; b: 1, 0, 0.
        assertEquals((1.0 + 1.0 / 3) / 2, ((Number) json(tmp.resolve("e/metrics.json")).get("mean_dice")).doubleValue(), 1e-12);
    }

    @Test
    void mismatchedFilesAreRefusedByName(@TempDir Path tmp) throws Exception {
        Path p = tmp.resolve("p");
        Path l = tmp.resolve("l");
        Files.createDirectories(p);
        Files.createDirectories(l);
        MedicalImages.write(p.resolve("a.png"), new Image(new float[20 * 20], 1, new int[] {20, 20}, new double[] {1, 1}, null, "memory", "uint8"));
        MedicalImages.write(l.resolve("a.png"), new Image(new float[20 * 24], 1, new int[] {20, 24}, new double[] {1, 1}, null, "memory", "uint8"));
        CliRunner.Run r = CliRunner.run("evaluate", "--pred", p.toString(), "--labels", l.toString(), "--out", tmp.resolve("e").toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains(l.resolve("a.png").toString()) && r.err().contains("shape"), r.err());

        MedicalImages.write(l.resolve("b.png"), new Image(new float[400], 1, new int[] {20, 20}, new double[] {1, 1}, null, "memory", "uint8"));
        r = CliRunner.run("evaluate", "--pred", p.toString(), "--labels", l.toString(), "--out", tmp.resolve("e").toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains("no image for 1") && r.err().contains("b.png"), r.err());

        r = CliRunner.run("evaluate", "--pred", p.toString(), "--out", tmp.resolve("e").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--pred and --labels go together"), r.err());
        assertTrue(!Files.exists(tmp.resolve("e/metrics.json")));
    }

    @Test
    void evaluateAndPredictRefuseAnOutputFolderInUse(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("busy");
        try (org.cover4j.train.RunLock held = org.cover4j.train.RunLock.acquire(out, "--out", "cover4j predict", System.err)) {
            CliRunner.Run r = CliRunner.run("evaluate", "--pred", predictions.toString(), "--labels", data.resolve("test/labels").toString(),
                    "--out", out.toString());
            PretrainErrorsTest.assertOneLineError(r, 2, "--out " + out + " is in use by another cover4j run");
            r = CliRunner.run("predict", "--model", model.toString(), "--input", data.resolve("test/images").toString(), "--out", out.toString(),
                    "--threads", "1");
            PretrainErrorsTest.assertOneLineError(r, 2, "--out " + out + " is in use by another cover4j run");
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of(org.cover4j.train.RunLock.FILE), files.map(f -> f.getFileName().toString()).toList(), "nothing written");
            }
        }
    }
}
