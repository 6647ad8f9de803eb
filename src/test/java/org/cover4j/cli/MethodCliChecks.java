package org.cover4j.cli;

import org.cover4j.io.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command-line checks every pre-training method passes (notes on adding a method): a tiny run learns, an
 * interrupted and resumed run ends bitwise equal to an uninterrupted one, its checkpoint initialises fine-tuning, and
 * another method's option is refused.
 */
final class MethodCliChecks {
    private MethodCliChecks() {}

    /**
     * A tiny {@code steps}-step run of {@code method} (batch 4, lr 3e-3) whose loss over the last third of the steps is
     * below that over the first third, on average; returns the metrics rows for further checks.
     */
    static List<Map<String, String>> lossFalls(Path out, String method, int dims, int size, int steps, String... more) throws IOException {
        // CliRunner.tiny's network and data, with a bigger batch and step for a clearer trend.
        List<String> a = new ArrayList<>(List.of("pretrain", "--method", method, "--dim", "" + dims, "--size", "" + size, "--batch", "4",
                "--channels", DownstreamFixtures.TINY, "--demo-images", "4", "--threads", "1", "--workers", "1", "--lr", "3e-3",
                "--steps", "" + steps, "--checkpoint-every", "" + steps, "--seed", "5", "--out", out.toString()));
        a.addAll(List.of(more));
        CliRunner.Run r = CliRunner.run(a.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        List<Map<String, String>> rows = rows(out.resolve("metrics.csv"));
        assertEquals(steps, rows.size(), "one metrics row per step");
        int third = steps / 3;
        double first = 0;
        double last = 0;
        for (int i = 0; i < third; i++) {
            first += Double.parseDouble(rows.get(i).get("loss"));
            last += Double.parseDouble(rows.get(steps - 1 - i).get("loss"));
        }
        assertTrue(last < first, method + " " + dims + "D: mean loss of the last third " + last / third + " >= first third's " + first / third);
        return rows;
    }

    /** {@code --steps 2} then {@code --resume --steps 4} ends with the weights of a 4-step run, bitwise. */
    static void resumesBitwise(Path tmp, String method) {
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(PretrainResumeTest.args(full, 4, "--method", method));
        assertEquals(0, r.code(), r.err());
        Path split = tmp.resolve("split");
        r = CliRunner.run(PretrainResumeTest.args(split, 2, "--method", method));
        assertEquals(0, r.code(), r.err());
        r = CliRunner.run(PretrainResumeTest.args(split, 4, "--method", method, "--resume"));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, split);
    }

    /**
     * A 2-step 2D run's checkpoint initialises {@code finetune --mode linear}: the fine-tuned model's backbone is the
     * checkpoint's, every tensor of it, and the method's own head is left behind.
     */
    static void initialisesFinetuning(Path tmp, String method) {
        Path pretrain = tmp.resolve("pretrain");
        CliRunner.Run r = CliRunner.run(PretrainResumeTest.args(pretrain, 2, "--method", method));
        assertEquals(0, r.code(), r.err());
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 48);
        Path out = tmp.resolve("linear");
        r = CliRunner.run(DownstreamFixtures.seg(data, out, 2, "--init", pretrain.resolve("checkpoints/last.json").toString(), "--mode", "linear"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> ckpt = DownstreamFixtures.tensors(pretrain.resolve("checkpoints/last.safetensors"));
        Map<String, SafeTensors.Tensor> tuned = DownstreamFixtures.tensors(out.resolve("last.safetensors"));
        assertTrue(ckpt.containsKey("head.weight"), "the method's head is in its checkpoint");
        int backbone = 0;
        for (Map.Entry<String, SafeTensors.Tensor> e : ckpt.entrySet()) {
            if (!e.getKey().startsWith("backbone.")) continue;
            assertArrayEquals(e.getValue().data(), tuned.get(e.getKey()).data(), 0f, e.getKey() + " not loaded");
            backbone++;
        }
        assertEquals(9 * 8, backbone, "every backbone tensor (9 DoubleConvs of 2 convs and 2 norms, weight and bias)");
        assertTrue(tuned.keySet().stream().noneMatch(k -> k.startsWith("head.")), "the pre-training head is not fine-tuned");
    }

    /** {@code option value} given with {@code --method method} is refused in one line naming it, exit 2. */
    static void refusesOption(Path tmp, String method, String option, String value) {
        CliRunner.Run r = PretrainErrorsTest.pretrain(tmp.resolve("out"), "--method", method, option, value);
        PretrainErrorsTest.assertOneLineError(r, 2, option, "--method " + method);
        assertTrue(!Files.exists(tmp.resolve("out/checkpoints")), "nothing written");
    }

    /** The metrics rows as column → value maps. */
    static List<Map<String, String>> rows(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",", -1);
            Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) row.put(header[i], v[i]);
            rows.add(row);
        }
        return rows;
    }
}
