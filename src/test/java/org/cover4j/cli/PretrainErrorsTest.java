package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to {@code pretrain}: one line naming the file or flag, a non-zero exit, nothing written or damaged. */
class PretrainErrorsTest {
    static void png(Path file, int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 256);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    static CliRunner.Run pretrain(Path out, String... more) {
        String[] base = {"pretrain", "--out", out.toString(), "--steps", "2"};
        String[] tiny = CliRunner.tiny(more);
        String[] all = Arrays.copyOf(base, base.length + tiny.length);
        System.arraycopy(tiny, 0, all, base.length, tiny.length);
        return CliRunner.run(all);
    }

    static void assertOneLineError(CliRunner.Run r, int code, String... fragments) {
        assertEquals(code, r.code(), "exit code; stderr: " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got: " + err);
        assertFalse(err.contains("Exception"), "no stack trace or exception names: " + err);
        for (String f : fragments) assertTrue(err.contains(f), "message should mention '" + f + "': " + err);
    }

    @Test
    void emptyFolder(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("empty"));
        assertOneLineError(pretrain(tmp.resolve("out"), "--data", data.toString()), 3, "empty");
        assertFalse(Files.exists(tmp.resolve("out/checkpoints")), "nothing written");
    }

    @Test
    void corruptImageIsNamed(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        png(data.resolve("a.png"), 64, 64);
        Files.writeString(data.resolve("b.png"), "this is not a picture");
        assertOneLineError(pretrain(tmp.resolve("out"), "--data", data.toString()), 3, "b.png");
    }

    @Test
    void imageSmallerThanSize(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        png(data.resolve("small.png"), 20, 40);
        assertOneLineError(pretrain(tmp.resolve("out"), "--data", data.toString()), 3, "small.png", "--size 32");
    }

    @Test
    void twoDImagesWithDim3(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        png(data.resolve("a.png"), 64, 64);
        assertOneLineError(pretrain(tmp.resolve("out"), "--data", data.toString(), "--dim", "3"), 3, "a.png", "--dim 3");
    }

    @Test
    void sizeNotDivisibleBy16(@TempDir Path tmp) {
        CliRunner.Run r = CliRunner.run("pretrain", "--out", tmp.resolve("o").toString(), "--size", "40");
        assertOneLineError(r, 2, "--size", "16");
    }

    @Test
    void unknownFlag(@TempDir Path tmp) {
        assertOneLineError(CliRunner.run("pretrain", "--bogus", "1"), 2, "--bogus");
        assertOneLineError(CliRunner.run("pretrain", "--channels", "8,16"), 2, "--channels");
        assertOneLineError(CliRunner.run("pretrain", "--device", "tpu"), 2, "--device");
    }

    @Test
    void existingRunIsNotOverwrittenAndOtherConfigurationsAreRefused(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, pretrain(out).code());
        Path last = out.resolve("checkpoints/last.safetensors");
        byte[] before = Files.readAllBytes(last);
        String metricsBefore = Files.readString(out.resolve("metrics.csv"));

        assertOneLineError(pretrain(out), 2, "--resume");
        CliRunner.Run other = CliRunner.run("pretrain", "--out", out.toString(), "--resume", "--steps", "4",
                "--channels", "16,16,32,64,128,64,32,16,16");
        assertOneLineError(other, 2, "--channels", "checkpoint");
        assertOneLineError(pretrain(tmp.resolve("run3d"), "--dim", "3", "--init", last.toString()), 3,
                "last.safetensors", "shape");

        assertArrayEquals(before, Files.readAllBytes(last), "checkpoint untouched");
        assertEquals(metricsBefore, Files.readString(out.resolve("metrics.csv")), "metrics untouched");
    }

    @Test
    void repeatedNonFiniteLossesStopWithTheLastGoodCheckpointIntact(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        CliRunner.Run r = CliRunner.run(concat(new String[] {"pretrain", "--out", out.toString(), "--steps", "30",
                "--checkpoint-every", "1", "--lr", "1e30", "--max-bad-steps", "3"}, CliRunner.tiny()));
        assertOneLineError(lastLine(r), 4, "non-finite", "last good checkpoint");
        Path json = out.resolve("checkpoints/last.json");
        assertTrue(Files.exists(json));
        var ck = org.cover4j.train.Checkpoints.read(json);
        for (float[] v : ck.weights().values()) for (float x : v) assertTrue(Float.isFinite(x), "checkpoint weights are finite");
    }

    @Test
    void presetDataIsPreparedByThePreset(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("cxr8");
        png(data.resolve("images_001/a.png"), 100, 120);
        png(data.resolve("images_002/b.png"), 90, 90);
        CliRunner.Run ok = pretrain(tmp.resolve("out"), "--preset", "ChestX-ray8", "--data", data.toString());
        assertEquals(0, ok.code(), ok.err());
        var ck = org.cover4j.train.Checkpoints.read(tmp.resolve("out/checkpoints/last.json"));
        assertEquals("ChestX-ray8", org.cover4j.pretrain.PretrainConfig.fromCheckpoint(ck).common().preset());
        assertTrue(ck.provenance().dataDescription().contains("2 images of preset ChestX-ray8"), ck.provenance().dataDescription());

        assertOneLineError(pretrain(tmp.resolve("o2"), "--preset", "ChestXray8x", "--data", data.toString()), 2, "ChestX-ray8");
        assertOneLineError(pretrain(tmp.resolve("o3"), "--preset", "PPMI", "--data", data.toString()), 2, "PPMI", "--dim");
        assertOneLineError(pretrain(tmp.resolve("o4"), "--preset", "ChestX-ray8"), 2, "--data");
    }

    /** The run prints per-step warnings before the final error; judge the final line. */
    static CliRunner.Run lastLine(CliRunner.Run r) {
        String[] lines = r.err().strip().split("\n");
        return new CliRunner.Run(r.code(), r.out(), lines[lines.length - 1]);
    }

    static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
