package org.cover4j.cli;

import org.cover4j.data.Image;
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
}
