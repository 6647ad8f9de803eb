package org.cover4j.cli;

import org.cover4j.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.cover4j.cli.DownstreamFixtures.TINY;
import static org.cover4j.cli.DownstreamFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fine-tuning learns: a short run on phantoms beats predicting background everywhere on held-out phantoms. */
class FinetuneLearningTest {
    @Test
    void sixtyStepsBeatTheAllBackgroundBaseline(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 8, 4, 64);
        Path out = tmp.resolve("m");
        CliRunner.Run r = CliRunner.run("finetune", "--task", "seg", "--train", data.resolve("train").toString(), "--val",
                data.resolve("val").toString(), "--test", data.resolve("test").toString(), "--channels", TINY, "--patch", "32",
                "--batch", "4", "--steps", "60", "--val-every", "20", "--lr", "2e-3", "--threads", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        double dice = ((Number) json(out.resolve("test/metrics.json")).get("mean_dice")).doubleValue();
        double baseline = allBackgroundDice(data.resolve("test/labels"), 5);
        assertTrue(dice > baseline + 0.2, "mean Dice " + dice + " vs all-background " + baseline);
        Map<?, ?> body = (Map<?, ?>) ((Map<?, ?>) json(out.resolve("test/metrics.json")).get("per_class")).get("1");
        assertTrue(((Number) body.get("dice")).doubleValue() > 0.8, "the body (largest structure) is found: " + body);
    }

    /** Mean foreground Dice of predicting 0 everywhere: per class 1 when the class is absent, else 0. */
    static double allBackgroundDice(Path labels, int k) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(labels)) {
            files = s.sorted().toList();
        }
        double total = 0;
        for (Path f : files) {
            float[] t = MedicalImages.read(f).data();
            double sum = 0;
            for (int c = 1; c < k; c++) {
                boolean present = false;
                for (float v : t) present |= v == c;
                sum += present ? 0 : 1;
            }
            total += sum / (k - 1);
        }
        return total / files.size();
    }
}
