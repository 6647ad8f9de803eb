package org.cover4j.cli;

import org.cover4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run interrupted (cleanly, or with kill -9 in a separate process) and resumed ends with exactly the same
 * parameters as an uninterrupted run with the same seed and thread count.
 */
class PretrainResumeTest {
    static final int STEPS = 5;

    static String[] args(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain"));
        a.addAll(List.of(CliRunner.tiny("--steps", "" + steps, "--checkpoint-every", "1", "--seed", "11", "--out", out.toString())));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    static void assertSameWeights(Path a, Path b) {
        SafeTensors.Contents x = SafeTensors.read(a.resolve("checkpoints/last.safetensors"));
        SafeTensors.Contents y = SafeTensors.read(b.resolve("checkpoints/last.safetensors"));
        assertEquals(x.tensors().keySet(), y.tensors().keySet());
        for (String k : x.tensors().keySet()) {
            assertArrayEquals(x.tensors().get(k).data(), y.tensors().get(k).data(), 0f, k + " differs after resume");
        }
    }

    /**
     * Runs the command line {@code args} in a separate process and kills it (kill -9) as soon as {@code file} exists;
     * fails when the process ended or 120 s passed without writing it.
     */
    static void killWhenWritten(String[] args, Path file, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(file), "the child wrote " + file.getFileName() + " before it was killed: " + Files.readString(log));
    }

    /**
     * The low-memory mode (the backbone's backward pass one image at a time, freed memory returned) trains, and
     * its loss at the first step equals the normal mode's: the forward pass is the same computation. Its gradients
     * are checked against the reference in CoverParityTest.
     */
    @Test
    void lowMemoryModeTrainsWithTheSameFirstLoss(@TempDir Path tmp) throws Exception {
        Path normal = tmp.resolve("normal");
        Path low = tmp.resolve("low");
        assertEquals(0, CliRunner.run(args(normal, 2, "--dim", "3")).code());
        CliRunner.Run r = CliRunner.run(args(low, 2, "--dim", "3", "--low-memory"));
        assertEquals(0, r.code(), r.err());
        List<String> a = java.nio.file.Files.readAllLines(normal.resolve("metrics.csv"));
        List<String> b = java.nio.file.Files.readAllLines(low.resolve("metrics.csv"));
        assertEquals(3, b.size(), "header + 2 steps");
        double lossA = Double.parseDouble(a.get(1).split(",")[3]);
        double lossB = Double.parseDouble(b.get(1).split(",")[3]);
        assertTrue(Double.isFinite(lossB), "finite loss");
        assertEquals(lossA, lossB, 1e-6 * Math.abs(lossA), "first-step loss");
    }

    @Test
    void resumedRunsEqualAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(args(full, STEPS));
        assertEquals(0, r.code(), r.err());

        // Clean interruption: stop after 2 steps, resume to the end.
        Path split = tmp.resolve("split");
        assertEquals(0, CliRunner.run(args(split, 2)).code());
        CliRunner.Run resumed = CliRunner.run(args(split, STEPS, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertSameWeights(full, split);
        List<String> rows = Files.readAllLines(split.resolve("metrics.csv"));
        assertEquals(STEPS + 1, rows.size(), "one metrics row per step after resume");
        assertEquals(Files.readAllLines(full.resolve("metrics.csv")).get(STEPS).split(",")[1], rows.get(STEPS).split(",")[1],
                "same loss at the last step");

        // Killed after its step-2 files but before last.json: resume from the newest complete step-N checkpoint.
        Path torn = tmp.resolve("torn");
        assertEquals(0, CliRunner.run(args(torn, 2)).code());
        for (String f : new String[] {"last.json", "last.safetensors"}) Files.delete(torn.resolve("checkpoints").resolve(f));
        CliRunner.Run fromStep = CliRunner.run(args(torn, STEPS, "--resume"));
        assertEquals(0, fromStep.code(), fromStep.err());
        assertSameWeights(full, torn);

        // Killed while replacing step 2's files, leaving step 2's weights beside step 1's optimizer state: the manifest's
        // hashes do not match, so the resume falls back to step 1 (saying so) instead of pairing the two.
        Path mixed = tmp.resolve("mixed");
        assertEquals(0, CliRunner.run(args(mixed, 2)).code());
        Path ck = mixed.resolve("checkpoints");
        Files.copy(ck.resolve("step-1.optim.safetensors"), ck.resolve("step-2.optim.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliRunner.Run fellBack = CliRunner.run(args(mixed, STEPS, "--resume"));
        assertEquals(0, fellBack.code(), fellBack.err());
        assertTrue(fellBack.log().contains("step-2.optim.safetensors has SHA-256") && fellBack.log().contains("step-1.json"), fellBack.log());
        assertTrue(fellBack.log().contains("resuming " + mixed + " at step 1 of " + STEPS), fellBack.log());
        assertSameWeights(full, mixed);
        assertEquals(STEPS + 1, Files.readAllLines(mixed.resolve("metrics.csv")).size(), "rows after the fallback step were dropped and redone");

        // kill -9 of a separate process as soon as its first checkpoint exists, then resume.
        Path killed = tmp.resolve("killed");
        killWhenWritten(args(killed, STEPS), killed.resolve("checkpoints/step-1.json"), tmp.resolve("killed.log"));
        CliRunner.Run afterKill = CliRunner.run(args(killed, STEPS, "--resume"));
        assertEquals(0, afterKill.code(), afterKill.err());
        assertSameWeights(full, killed);
    }
}
