package org.cover4j.cli;

import org.cover4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.cover4j.cli.DownstreamFixtures.seg;
import static org.cover4j.cli.DownstreamFixtures.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pretrain --method byol} and {@code --method simsiam} end to end: the loss falls in 2D and 3D, an interrupted
 * run resumes to exactly the uninterrupted one's weights (target network and BatchNorm statistics included), the
 * checkpoint's online backbone is what {@code finetune --init} loads, and another method's option is refused.
 */
class SiameseMethodsCliTest {
    /** Small heads that keep a step to milliseconds. */
    static List<String> heads(String method) {
        return method.equals("byol") ? List.of("--byol-hidden", "64", "--byol-dim", "32") : List.of("--simsiam-dim", "64", "--simsiam-hidden", "16");
    }

    /** A tiny run of {@code method}: 32² crops in 2D, 16³ in 3D, batch 2 (the least these methods take). */
    static String[] args(String method, int dims, Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--method", method, "--dim", "" + dims, "--size", dims == 2 ? "32" : "16",
                "--batch", "2", "--channels", DownstreamFixtures.TINY, "--demo-images", "4", "--threads", "1",
                "--workers", "1", "--steps", "" + steps, "--seed", "5", "--out", out.toString()));
        a.addAll(heads(method));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    static double[] column(Path metrics, String name) throws Exception {
        List<String> rows = Files.readAllLines(metrics);
        int c = Arrays.asList(rows.get(0).split(",")).indexOf(name);
        assertTrue(c >= 0, name + " column in " + rows.get(0));
        return rows.stream().skip(1).mapToDouble(r -> Double.parseDouble(r.split(",")[c])).toArray();
    }

    static double mean(double[] v, int from, int to) {
        return Arrays.stream(v, from, to).average().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"byol", "simsiam"})
    void lossFallsIn2DAnd3D(String method, @TempDir Path tmp) throws Exception {
        int steps = 30;
        for (int dims = 2; dims <= 3; dims++) {
            Path out = tmp.resolve(dims + "d");
            CliRunner.Run r = CliRunner.run(args(method, dims, out, steps, "--lr", "3e-3"));
            assertEquals(0, r.code(), r.err());
            double[] loss = column(out.resolve("metrics.csv"), "loss");
            assertEquals(steps, loss.length);
            double first = mean(loss, 0, steps / 3);
            double last = mean(loss, steps - steps / 3, steps);
            assertTrue(last < first, method + " " + dims + "D: loss of the last third " + last + " vs the first " + first);
            if (method.equals("simsiam")) {
                for (double s : column(out.resolve("metrics.csv"), "z_std")) assertTrue(s > 0 && s <= 1, "z_std " + s);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"byol", "simsiam"})
    void aBatchOfOneIsRefusedSayingWhy(String method, @TempDir Path tmp) {
        List<String> a = new ArrayList<>(List.of(args(method, 3, tmp.resolve("o"), 2)));
        a.set(a.indexOf("--batch") + 1, "1");
        CliRunner.Run r = CliRunner.run(a.toArray(new String[0]));
        PretrainErrorsTest.assertOneLineError(r, 2, "--method " + method + " needs --batch 2 or more, got 1", "mirror images");
        assertFalse(Files.exists(tmp.resolve("o")), "nothing written");
    }

    @Test
    void simsiamStoppedAndResumedWithMoreStepsEqualsAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        assertEquals(0, CliRunner.run(args("simsiam", 2, full, 6)).code());
        Path split = tmp.resolve("split");
        assertEquals(0, CliRunner.run(args("simsiam", 2, split, 3)).code());
        CliRunner.Run r = CliRunner.run(args("simsiam", 2, split, 6, "--resume"));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, split);
        assertEquals(7, Files.readAllLines(split.resolve("metrics.csv")).size(), "header + one row per step");
    }

    /**
     * BYOL's moving-average decay follows a schedule over the run's --steps (as --schedule cosine does the learning
     * rate), so the interrupted run has the same --steps: killed (-9, a separate process) once it has saved step 2.
     */
    @Test
    void byolKilledAndResumedEqualsAnUninterruptedRunTargetIncluded(@TempDir Path tmp) throws Exception {
        int steps = 16;
        Path full = tmp.resolve("full");
        assertEquals(0, CliRunner.run(args("byol", 2, full, steps)).code());
        Path killed = tmp.resolve("killed");
        String[] run = args("byol", 2, killed, steps, "--checkpoint-every", "2");
        PretrainResumeTest.killWhenWritten(run, killed.resolve("checkpoints/step-2.json"), tmp.resolve("killed.log"));
        assertFalse(Files.exists(killed.resolve("checkpoints/step-" + steps + ".json")), "killed before the end");
        CliRunner.Run r = CliRunner.run(DownstreamFixtures.concat(run, "--resume"));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, killed);
        Map<String, SafeTensors.Tensor> w = tensors(killed.resolve("checkpoints/last.safetensors"));
        assertTrue(w.containsKey("target.backbone.inc.double_conv.0.weight") && w.containsKey("target.projector.1.running_var"),
                "the target and the BatchNorm statistics are compared too");
    }

    @ParameterizedTest
    @ValueSource(strings = {"byol", "simsiam"})
    void finetuneInitLoadsTheOnlineBackbone(String method, @TempDir Path tmp) {
        Path pre = tmp.resolve("pre");
        CliRunner.Run r = CliRunner.run(args(method, 2, pre, 2));
        assertEquals(0, r.code(), r.err());
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 48);
        Path lin = tmp.resolve("linear");
        r = CliRunner.run(seg(data, lin, 2, "--init", pre.toString(), "--mode", "linear"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> ckpt = tensors(pre.resolve("checkpoints/last.safetensors"));
        Map<String, SafeTensors.Tensor> linear = tensors(lin.resolve("last.safetensors"));
        int loaded = 0;
        boolean targetDiffers = false;
        for (Map.Entry<String, SafeTensors.Tensor> e : linear.entrySet()) {
            if (!e.getKey().startsWith("backbone.")) continue;
            loaded++;
            assertArrayEquals(ckpt.get(e.getKey()).data(), e.getValue().data(), 0f, e.getKey());
            SafeTensors.Tensor target = ckpt.get("target." + e.getKey());
            targetDiffers |= target != null && !Arrays.equals(target.data(), e.getValue().data());
        }
        assertEquals(ckpt.keySet().stream().filter(k -> k.startsWith("backbone.")).count(), loaded);
        if (method.equals("byol")) assertTrue(targetDiffers, "the online backbone was loaded, not the target's");
    }

    @Test
    void anotherMethodsOptionIsRefusedInOneLine(@TempDir Path tmp) {
        PretrainErrorsTest.assertOneLineError(CliRunner.run(args("simsiam", 2, tmp.resolve("a"), 2, "--ema", "0.99")), 2,
                "--ema", "--method byol");
        PretrainErrorsTest.assertOneLineError(CliRunner.run("pretrain", "--method", "byol", "--simsiam-dim", "8", "--out",
                tmp.resolve("b").toString()), 2, "--simsiam-dim", "--method simsiam");
        PretrainErrorsTest.assertOneLineError(CliRunner.run("pretrain", "--byol-hidden", "8", "--out", tmp.resolve("c").toString()), 2,
                "--byol-hidden", "not of --method cover");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(args("byol", 2, tmp.resolve("d"), 2, "--ema", "1.5")), 2, "--ema");
        assertFalse(Files.exists(tmp.resolve("a")) || Files.exists(tmp.resolve("d")), "nothing written");
        String help = CliRunner.run("pretrain", "--help").out();
        assertTrue(help.contains("BYOL options (--method byol") && help.contains("SimSiam options (--method simsiam"), help);
    }
}
