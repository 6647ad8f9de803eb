package org.cover4j.cli;

import org.cover4j.downstream.DownstreamNet;
import org.cover4j.downstream.ModelSpec;
import org.cover4j.downstream.Task;
import org.cover4j.io.SafeTensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.cover4j.cli.DownstreamFixtures.json;
import static org.cover4j.cli.DownstreamFixtures.seg;
import static org.cover4j.cli.DownstreamFixtures.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code finetune --mode linear --probe-level L} and {@code --init-scope encoder}, end to end on tiny phantoms. */
class ProbeLevelAndInitScopeTest {
    private static final int[] TINY = {8, 16, 32, 64, 128, 64, 32, 16, 8};
    @TempDir
    static Path shared;
    static Path data;
    static Path pretrain;

    @BeforeAll
    static void setUp() {
        data = DownstreamFixtures.seg2d(shared.resolve("seg"), 4, 2, 48);
        pretrain = DownstreamFixtures.pretrain(shared.resolve("pretrain"));
    }

    /** The weights a run seeded {@code seed} starts from, for a head on {@code level} (5 phantom classes, 32² patches). */
    private static Map<String, float[]> fresh(long seed, int level) {
        ModelSpec spec = new ModelSpec(Task.SEG, 2, 1, org.cover4j.nn.BackboneSpec.unet(TINY), 5, ModelSpec.numberedClasses(5), "auto", new int[] {32, 32}, false, level);
        return new DownstreamNet(spec, null, new Rng(seed)).toArrays();
    }

    /** A finished linear probe (its backbone stays as loaded): the run, the checkpoint it loaded, what it saved, its seed's fresh weights. */
    private record Probe(CliRunner.Run run, Map<String, SafeTensors.Tensor> checkpoint, Map<String, SafeTensors.Tensor> saved,
                         Map<String, float[]> fresh) {}

    /** A linear probe of the tiny pre-training run into {@code out}, seeded {@code seed}, its head on {@code level}. */
    private static Probe probe(Path out, int steps, long seed, int level, String... more) {
        List<String> args = new ArrayList<>(List.of("--init", pretrain.toString(), "--mode", "linear", "--seed", "" + seed));
        args.addAll(List.of(more));
        CliRunner.Run r = CliRunner.run(seg(data, out, steps, args.toArray(new String[0])));
        assertEquals(0, r.code(), r.err());
        return new Probe(r, tensors(pretrain.resolve("checkpoints/last.safetensors")), tensors(out.resolve("last.safetensors")), fresh(seed, level));
    }

    /** The U-Net's encoder tensors by name (inc, down1..down4), written out here independently of the backbone's own list. */
    private static boolean inEncoder(String name) {
        return name.startsWith("backbone.inc.") || name.startsWith("backbone.down");
    }

    @Test
    void aLinearProbeOfTheDeepestLevelTrainsOnlyItsHeadAndIsRebuiltFromModelJson(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("probe4");
        Probe p = probe(out, 3, 2, 4, "--probe-level", "4", "--lr", "1e-2");
        Map<String, SafeTensors.Tensor> ckpt = p.checkpoint();
        Map<String, SafeTensors.Tensor> last = p.saved();
        Map<String, float[]> start = p.fresh();
        for (Map.Entry<String, SafeTensors.Tensor> e : last.entrySet()) {
            if (e.getKey().startsWith("backbone.")) {
                assertArrayEquals(ckpt.get(e.getKey()).data(), e.getValue().data(), 0f, e.getKey() + " changed in a linear probe");
            } else {
                assertFalse(Arrays.equals(start.get(e.getKey()), e.getValue().data()), e.getKey() + " did not train");
            }
        }
        assertArrayEquals(new long[] {5, 128, 1, 1}, last.get("seg_head.weight").shape(), "a 1x1 conv on level 4 (128 channels)");
        Map<?, ?> model = (Map<?, ?>) json(out.resolve("model.json")).get("model");
        assertEquals(4, model.get("head_level"));
        // evaluate rebuilds the level-4 head from model.json and scores full-resolution predictions.
        CliRunner.Run ev = CliRunner.run("evaluate", "--model", out.toString(), "--data", data.resolve("test").toString(),
                "--out", tmp.resolve("ev").toString());
        assertEquals(0, ev.code(), ev.err());
        double dice = ((Number) json(tmp.resolve("ev/metrics.json")).get("mean_dice")).doubleValue();
        assertTrue(dice >= 0 && dice <= 1, "mean Dice " + dice);
    }

    @Test
    void aBadLevelOrAMisplacedOptionIsRefusedInOneLine(@TempDir Path tmp) {
        CliRunner.Run r = CliRunner.run(seg(data, tmp.resolve("a"), 2, "--mode", "linear", "--probe-level", "5"));
        assertEquals(2, r.code(), r.err());
        assertEquals("cover4j: --probe-level must be 0 (finest, full resolution) to 4 (1/16 resolution), got 5", r.err().strip(), "one line");
        r = CliRunner.run(seg(data, tmp.resolve("b"), 2, "--probe-level", "2"));
        assertEquals(2, r.code(), r.err());
        assertTrue(lastLine(r.err()).contains("--probe-level needs --mode linear"), r.err());
        r = CliRunner.run(seg(data, tmp.resolve("c"), 2, "--init-scope", "encoder"));
        assertEquals(2, r.code(), r.err());
        assertTrue(lastLine(r.err()).contains("--init-scope encoder needs --init"), r.err());
        r = CliRunner.run(seg(data, tmp.resolve("d"), 2, "--init", pretrain.toString(), "--init-scope", "decoder"));
        assertEquals(2, r.code(), r.err());
        assertTrue(lastLine(r.err()).contains("--init-scope decoder: expected all or encoder"), r.err());
    }

    @Test
    void initScopeEncoderLoadsTheEncoderAndLeavesTheDecoderAtItsFreshInitialisation(@TempDir Path tmp) {
        Path out = tmp.resolve("enc");
        // A linear probe keeps the backbone as loaded, so the saved weights are exactly what --init-scope put there.
        Probe p = probe(out, 2, 3, 0, "--init-scope", "encoder", "--verbose");
        Map<String, SafeTensors.Tensor> ckpt = p.checkpoint();
        Map<String, float[]> start = p.fresh();
        int encoder = 0, decoder = 0;
        for (Map.Entry<String, SafeTensors.Tensor> e : p.saved().entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("backbone.")) continue;
            boolean enc = inEncoder(k);
            float[] want = enc ? ckpt.get(k).data() : start.get(k);
            assertArrayEquals(want, e.getValue().data(), 0f, k + (enc ? " not loaded from --init" : " not at its fresh initialisation"));
            if (enc) encoder++; else decoder++;
        }
        assertEquals(40, encoder);
        assertEquals(32, decoder);
        String k = "backbone.up4.conv.double_conv.0.weight";
        assertFalse(Arrays.equals(ckpt.get(k).data(), start.get(k)), "the checkpoint's decoder differs from the fresh one (else this test proves nothing)");
        String log = p.run().log();
        assertTrue(log.contains("40 backbone tensors loaded") && log.contains("into the encoder, 32 decoder tensors left at their fresh initialisation"), log);
        List<String> fresh = Arrays.asList(log.lines().filter(l -> l.startsWith("  newly initialised: ")).findFirst().orElseThrow()
                .substring("  newly initialised: ".length()).split(" "));
        assertEquals(34, fresh.size(), "32 decoder + 2 head tensors");
        assertTrue(fresh.contains(k) && fresh.contains("seg_head.weight"));
        Map<?, ?> doc = jsonQuiet(out.resolve("model.json"));
        assertEquals("encoder", doc.get("init_scope"));
    }

    @Test
    void initShrinkMixesEveryLoadedTensorWithTheSeedsFreshInitialisation(@TempDir Path tmp) {
        // A linear probe keeps the backbone as loaded; with --init-scope encoder the decoder must stay fresh, unmixed.
        Path out = tmp.resolve("shrunk");
        Probe p = probe(out, 2, 3, 0, "--init-shrink", "0.25", "--init-scope", "encoder");
        int mixed = 0;
        for (Map.Entry<String, SafeTensors.Tensor> e : p.saved().entrySet()) {
            String k = e.getKey();
            if (!k.startsWith("backbone.")) continue;
            float[] got = e.getValue().data();
            float[] pre = p.checkpoint().get(k).data();
            float[] init = p.fresh().get(k);
            if (!inEncoder(k)) {
                assertArrayEquals(init, got, 0f, k + " is outside --init-scope and must keep its fresh initialisation");
                continue;
            }
            for (int i = 0; i < got.length; i++) {
                float want = 0.25f * pre[i] + 0.75f * init[i];
                assertEquals(want, got[i], 1e-6f * Math.max(1f, Math.abs(want)), k + "[" + i + "]");
            }
            if (!Arrays.equals(pre, init)) mixed++;
        }
        assertTrue(mixed > 20, "most encoder tensors differ between checkpoint and fresh weights (else this proves nothing): " + mixed);
        Map<?, ?> settings = (Map<?, ?>) jsonQuiet(out.resolve("model.json")).get("settings");
        assertEquals(0.25, ((Number) settings.get("initShrink")).doubleValue(), 0);

        for (String[] bad : new String[][] {{"--init-shrink", "0"}, {"--init-shrink", "1.5"}, {"--init-shrink", "NaN"}}) {
            String[] args = seg(data, tmp.resolve("bad"), 2, "--init", pretrain.toString(), bad[0], bad[1]);
            CliRunner.Run r = CliRunner.run(args);
            assertEquals(2, r.code(), r.err());
            assertTrue(lastLine(r.err()).contains("--init-shrink must be in (0, 1], got"), r.err());
        }
        CliRunner.Run r = CliRunner.run(seg(data, tmp.resolve("noinit"), 2, "--init-shrink", "0.5"));
        assertEquals(2, r.code(), r.err());
        assertTrue(lastLine(r.err()).contains("--init-shrink needs --init"), r.err());
    }

    private static Map<?, ?> jsonQuiet(Path p) {
        try {
            return json(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String lastLine(String err) {
        List<String> lines = err.strip().lines().toList();
        return lines.get(lines.size() - 1);
    }

}
