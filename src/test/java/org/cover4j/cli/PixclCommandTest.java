package org.cover4j.cli;

import org.cover4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code pretrain --method pixcl} end to end: it learns, resumes exactly, fine-tunes, and refuses other methods' options. */
class PixclCommandTest {
    static String[] pixcl(Path out, int steps, String... more) {
        return PretrainResumeTest.args(out, steps, concat(new String[] {"--method", "pixcl"}, more));
    }

    /**
     * Mean of {@code loss} over the first and the last third of a 30-step run at a high learning rate: at least 5% lower.
     * Milder affines ({@code --degree 0.5}) keep most pixels corresponding, so that the number of negatives (and with
     * it the loss's scale, about log N for features that have not learnt) varies little between steps: without
     * learning (lr 1e-12) the ratio is 1.00 (3D) and 1.04 (2D); with it 0.79 and 0.86.
     */
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void lossFalls(int dims, @TempDir Path tmp) throws Exception {
        String size = dims == 2 ? "32" : "16";
        // CliRunner.tiny's settings, at 16³ in 3D.
        CliRunner.Run r = CliRunner.run("pretrain", "--method", "pixcl", "--out", tmp.toString(), "--dim", "" + dims, "--size", size,
                "--batch", "2", "--channels", "8,16,32,64,128,64,32,16,8", "--demo-images", "4", "--threads", "1", "--workers", "1",
                "--steps", "30", "--lr", "3e-3", "--degree", "0.5", "--seed", "3", "--checkpoint-every", "30");
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(tmp.resolve("metrics.csv"));
        assertEquals("step,loss_l0,loss_l1,loss_l2,loss_l3,loss_l4,loss", String.join(",", List.of(rows.get(0).split(",")).subList(0, 7)));
        List<Double> loss = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) loss.add(Double.parseDouble(row.split(",")[6]));
        assertEquals(30, loss.size());
        double first = loss.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = loss.subList(20, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < 0.95 * first, dims + "D: mean loss of the last 10 steps " + last + " should be 5% below the first 10's " + first);
    }

    @Test
    void resumedRunEqualsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(pixcl(full, 4));
        assertEquals(0, r.code(), r.err());
        Path split = tmp.resolve("split");
        assertEquals(0, CliRunner.run(pixcl(split, 2)).code());
        r = CliRunner.run(pixcl(split, 4, "--resume"));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, split);
        assertEquals(Files.readAllLines(full.resolve("metrics.csv")).get(4).split(",")[6],
                Files.readAllLines(split.resolve("metrics.csv")).get(4).split(",")[6], "same loss at the last step");
        Map<String, SafeTensors.Tensor> w = DownstreamFixtures.tensors(full.resolve("checkpoints/last.safetensors"));
        assertArrayEquals(new long[] {32, 8, 1, 1}, w.get("proj.0.proj.weight").shape(), "finest projection: 8 -> --pixcl-dim 32");
        assertArrayEquals(new long[] {32, 128, 1, 1}, w.get("proj.4.proj.weight").shape(), "coarsest projection: 128 -> 32");
    }

    /** A linear probe keeps the backbone it was given: the pixcl checkpoint's {@code backbone.*}, loaded by {@code --init}. */
    @Test
    void checkpointInitialisesFineTuning(@TempDir Path tmp) {
        Path pretrained = tmp.resolve("pixcl");
        assertEquals(0, CliRunner.run(pixcl(pretrained, 2)).code());
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 48);
        Path probe = tmp.resolve("probe");
        CliRunner.Run r = CliRunner.run(DownstreamFixtures.seg(data, probe, 2, "--init", pretrained.toString(), "--mode", "linear"));
        assertEquals(0, r.code(), r.err());
        Map<String, SafeTensors.Tensor> ckpt = DownstreamFixtures.tensors(pretrained.resolve("checkpoints/last.safetensors"));
        Map<String, SafeTensors.Tensor> tuned = DownstreamFixtures.tensors(probe.resolve("last.safetensors"));
        int backbone = 0;
        for (Map.Entry<String, SafeTensors.Tensor> e : tuned.entrySet()) {
            if (!e.getKey().startsWith("backbone.")) continue;
            backbone++;
            assertArrayEquals(ckpt.get(e.getKey()).data(), e.getValue().data(), 0f, e.getKey());
        }
        assertEquals(ckpt.keySet().stream().filter(k -> k.startsWith("backbone.")).count(), backbone);
    }

    @Test
    void optionsOfOtherMethodsAndBadValuesAreRefused(@TempDir Path tmp) {
        PretrainErrorsTest.assertOneLineError(PretrainErrorsTest.pretrain(tmp.resolve("a"), "--method", "pixcl", "--amp", "3"), 2,
                "--amp", "--method cover", "not of --method pixcl");
        PretrainErrorsTest.assertOneLineError(PretrainErrorsTest.pretrain(tmp.resolve("b"), "--method", "cover", "--tau", "0.1"), 2,
                "--tau", "--method pixcl");
        PretrainErrorsTest.assertOneLineError(PretrainErrorsTest.pretrain(tmp.resolve("c"), "--method", "pixcl", "--tau", "0"), 2, "--tau");
        PretrainErrorsTest.assertOneLineError(PretrainErrorsTest.pretrain(tmp.resolve("d"), "--method", "pixcl", "--negatives", "0"), 2,
                "--negatives");
        assertTrue(!Files.exists(tmp.resolve("a/checkpoints")), "nothing written");
        CliRunner.Run help = CliRunner.run("pretrain", "--help");
        assertTrue(help.out().contains("Binary pixel-wise contrastive learning options (--method pixcl)") && help.out().contains("--pixcl-dim"),
                help.out());
    }

    private static String[] concat(String[] a, String... b) {
        return DownstreamFixtures.concat(a, b);
    }
}
