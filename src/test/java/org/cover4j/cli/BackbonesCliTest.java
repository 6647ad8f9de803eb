package org.cover4j.cli;

import org.cover4j.nn.Backbones;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.cover4j.cli.DownstreamFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backbones other than the U-Net through the commands a user runs: pre-training records the backbone, fine-tuning
 * from that checkpoint rebuilds it (size included) and evaluation and prediction use it; wrong backbones, options and
 * sizes are refused in one line with nothing written.
 */
class BackbonesCliTest {
    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void data() {
        data = DownstreamFixtures.seg2d(shared.resolve("data"), 4, 2, 64);
    }

    static String[] pretrain(String backbone, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--backbone", backbone, "--backbone-size", "tiny", "--size", "64", "--batch", "2",
                "--demo-images", "4", "--threads", "1", "--workers", "1", "--steps", "2", "--seed", "3", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"transunet", "swinunet", "ukan"})
    void pretrainFinetuneEvaluatePredict(String backbone, @TempDir Path tmp) throws Exception {
        Path pre = tmp.resolve("pre");
        CliRunner.Run r = CliRunner.run(pretrain(backbone, pre));
        assertEquals(0, r.code(), r.err());
        Map<?, ?> recorded = (Map<?, ?>) json(pre.resolve("checkpoints/last.json")).get("backbone");
        assertEquals(backbone, recorded.get("name"));
        assertEquals("tiny", recorded.get("size"));

        // No --patch, no backbone options: the checkpoint says which network and at which size.
        Path ft = tmp.resolve("ft");
        List<String> a = new ArrayList<>(List.of("finetune", "--task", "seg", "--train", data.resolve("train").toString(), "--val",
                data.resolve("val").toString(), "--batch", "2", "--steps", "2", "--val-every", "2", "--threads", "1", "--init", pre.toString(),
                "--out", ft.toString()));
        r = CliRunner.run(a.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.log().contains("backbone tensors loaded"), r.log());
        Map<?, ?> model = json(ft.resolve("model.json"));
        assertTrue(model.toString().contains("name=" + backbone), model.toString());
        // U-KAN fine-tunes only its pre-trained encoder unless told otherwise (README, Backbones); the others load all.
        assertEquals(backbone.equals("ukan") ? "encoder" : "all", model.get("init_scope"), model.toString());

        r = CliRunner.run("evaluate", "--model", ft.toString(), "--data", data.resolve("test").toString(), "--out", tmp.resolve("eval").toString(),
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        double dice = ((Number) json(tmp.resolve("eval/metrics.json")).get("mean_dice")).doubleValue();
        assertTrue(dice >= 0 && dice <= 1, "mean Dice " + dice);
        r = CliRunner.run("predict", "--model", ft.toString(), "--input", data.resolve("test/images").toString(), "--out",
                tmp.resolve("pred").toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        try (var files = Files.list(tmp.resolve("pred"))) {
            assertTrue(files.count() >= 2);
        }

        // Another backbone than the checkpoint's is refused by name.
        String other = backbone.equals("ukan") ? "transunet" : "ukan";
        a.set(a.indexOf("--out") + 1, tmp.resolve("ft2").toString());
        a.addAll(List.of("--backbone", other));
        r = CliRunner.run(a.toArray(new String[0]));
        PretrainErrorsTest.assertOneLineError(r, 2, "--backbone " + other, "differs from the checkpoint's " + backbone);
        assertFalse(Files.exists(tmp.resolve("ft2")));
    }

    @Test
    void badBackboneRequestsAreRefusedInOneLineWritingNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("o");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(pretrain("resnet", out)), 2, "--backbone resnet is not a backbone", "transunet");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(pretrain("transunet", out, "--window", "4")), 2,
                "--window is an option of --backbone swinunet, not of --backbone transunet");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(pretrain("ukan", out, "--dim", "3")), 2, "--backbone ukan is a 2D network");
        List<String> a = new ArrayList<>(List.of(pretrain("transunet", out)));
        a.set(a.indexOf("--size") + 1, "100");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(a.toArray(new String[0])), 2, "--size 100", "nearest valid sizes 96 or 112");
        a.set(a.indexOf("--backbone") + 1, "ukan");
        a.set(a.indexOf("--size") + 1, "80");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(a.toArray(new String[0])), 2, "--size 80 does not suit ukan", "nearest valid sizes 64 or 96");
        a.set(a.indexOf("--backbone") + 1, "swinunet");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(a.toArray(new String[0])), 2, "--size 80 does not suit swinunet", "nearest valid sizes 64 or 128");
        List<String> unet = new ArrayList<>(List.of(pretrain("unet", out, "--kan-dims", "8,16,32")));
        unet.subList(unet.indexOf("--backbone-size"), unet.indexOf("--backbone-size") + 2).clear();
        PretrainErrorsTest.assertOneLineError(CliRunner.run(unet.toArray(new String[0])), 2, "--kan-dims is an option of --backbone ukan");
        PretrainErrorsTest.assertOneLineError(CliRunner.run(pretrain("ukan", out, "--kan-dims", "8,x")), 2, "--kan-dims needs comma-separated whole numbers");
        assertFalse(Files.exists(out), "a refused run writes nothing");
        assertEquals(4, Backbones.names().size());
    }

    /**
     * {@code finetune --init} of a state dict saved by the official code (the fixture's, under the official names): the
     * frozen backbone of a linear probe holds exactly the file's numbers afterwards.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transunet", "swinunet", "ukan"})
    void officialWeightsLoadUnderTheirOwnNames(String backbone, @TempDir Path tmp) {
        Path npz = Path.of("..", "shared", "reference", "backbones", backbone + "_small_params.npz");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(npz), "reference fixtures absent: " + npz);
        Path ft = tmp.resolve("ft");
        CliRunner.Run r = CliRunner.run("finetune", "--task", "seg", "--train", data.resolve("train").toString(), "--val",
                data.resolve("val").toString(), "--batch", "2", "--steps", "1", "--val-every", "1", "--threads", "1", "--patch", "64",
                "--backbone", backbone, "--backbone-size", "tiny", "--mode", "linear", "--init", npz.toString(), "--out", ft.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.log().contains("the official " + backbone + " code"), r.log());
        Map<String, org.cover4j.io.NpyArray> official = org.cover4j.io.Npz.read(npz);
        Map<String, org.cover4j.io.SafeTensors.Tensor> saved = DownstreamFixtures.tensors(ft.resolve("best.safetensors"));
        int compared = 0;
        for (Map.Entry<String, org.cover4j.io.SafeTensors.Tensor> e : saved.entrySet()) {
            if (!e.getKey().startsWith("backbone.")) continue;
            org.cover4j.io.NpyArray expected = official.get(e.getKey().substring("backbone.".length()));
            if (expected == null) continue;
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected.floats(), e.getValue().data(), 0f, e.getKey());
            compared++;
        }
        assertTrue(compared > 100, "compared " + compared + " tensors");
    }

    /**
     * Another method than COVER on each backbone, and classification: BYOL pre-trains the network, a linear probe
     * classifies from its deepest features, and the frozen backbone the probe saves is bitwise the one BYOL trained
     * (its BatchNorm buffers included) — the method's backbone is what the downstream task uses.
     */
    @ParameterizedTest
    @ValueSource(strings = {"transunet", "swinunet", "ukan"})
    void byolThenClassification(String backbone, @TempDir Path tmp) throws Exception {
        Path pre = tmp.resolve("pre");
        CliRunner.Run r = CliRunner.run(pretrain(backbone, pre, "--method", "byol"));
        assertEquals(0, r.code(), r.err());
        Path cls = DownstreamFixtures.cls2d(tmp.resolve("cls"), 2, 64);
        Path ft = tmp.resolve("ft");
        r = CliRunner.run("finetune", "--task", "cls", "--train", cls.resolve("train").toString(), "--val", cls.resolve("val").toString(),
                "--test", cls.resolve("val").toString(), "--batch", "2", "--steps", "2", "--val-every", "2", "--threads", "1",
                "--mode", "linear", "--init", pre.toString(), "--init-scope", "all", "--out", ft.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.log().contains("backbone tensors loaded"), r.log());
        Map<?, ?> test = json(ft.resolve("test/metrics.json"));
        assertTrue(test.containsKey("accuracy"), test.toString());
        Map<String, org.cover4j.io.SafeTensors.Tensor> trained = DownstreamFixtures.tensors(pre.resolve("checkpoints/last.safetensors"));
        Map<String, org.cover4j.io.SafeTensors.Tensor> saved = DownstreamFixtures.tensors(ft.resolve("best.safetensors"));
        assertEquals(2, saved.get("cls_head.weight").shape()[0]);
        int compared = 0;
        for (Map.Entry<String, org.cover4j.io.SafeTensors.Tensor> e : saved.entrySet()) {
            if (!e.getKey().startsWith("backbone.")) continue;
            org.cover4j.io.SafeTensors.Tensor t = trained.get(e.getKey());
            assertTrue(t != null, e.getKey() + " not in BYOL's checkpoint");
            org.junit.jupiter.api.Assertions.assertArrayEquals(t.data(), e.getValue().data(), 0f, e.getKey());
            compared++;
        }
        assertTrue(compared > 20, "compared " + compared + " tensors");
    }
}
