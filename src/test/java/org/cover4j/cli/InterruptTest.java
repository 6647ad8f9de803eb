package org.cover4j.cli;

import org.cover4j.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (what {@code Process.destroy()} sends) to a training run in a child JVM: it finishes its step, saves a
 * checkpoint, says how to resume and exits with 143; the resumed run ends bitwise equal to an uninterrupted one. The
 * child is given far more steps than it can run before the signal, so the test never races its end.
 */
class InterruptTest {
    static Process start(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** A tiny pre-training run that checkpoints only at its end (or when stopped). */
    static String[] pretrain(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain"));
        a.addAll(List.of(CliRunner.tiny("--steps", "" + steps, "--checkpoint-every", "100000", "--seed", "11", "--out", out.toString())));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** Rows of metrics.csv after its header (0 when it does not exist yet). */
    static int rows(Path out) throws Exception {
        Path f = out.resolve("metrics.csv");
        return Files.exists(f) ? Math.max(0, Files.readAllLines(f).size() - 1) : 0;
    }

    static void awaitRows(Process p, Path out, int n, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (rows(out) < n && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(rows(out) >= n && p.isAlive(), "the child trains: " + Files.readString(log));
    }

    static int exit(Process p) throws Exception {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child ends after the signal");
        return p.exitValue();
    }

    @Test
    void sigtermSavesACheckpointAndTheResumedPretrainingEqualsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Path log = tmp.resolve("child.log");
        Process p = start(log, pretrain(out, 100000));
        awaitRows(p, out, 2, log);

        // While the child runs, its folder is locked: a second run is refused, naming the child.
        CliRunner.Run second = CliRunner.run(pretrain(out, 3));
        assertEquals(2, second.code(), second.err());
        assertTrue(second.err().contains("is in use by another cover4j run (pid " + p.pid()), second.err());

        p.destroy();
        assertEquals(143, exit(p), Files.readString(log));
        String said = Files.readString(log);
        assertTrue(said.contains("SIGTERM received"), said);
        assertTrue(said.contains("resume with: cover4j pretrain --out " + out + " --resume"), said);
        long step = Checkpoints.read(out.resolve("checkpoints/last.json")).step();
        assertTrue(said.contains("interrupted by SIGTERM at step " + step + " of 100000"), said);
        assertEquals(step, rows(out), "a checkpoint of the step reached, and a metrics row per step up to it");

        CliRunner.Run resumed = CliRunner.run(pretrain(out, (int) step + 2, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        Path full = tmp.resolve("full");
        assertEquals(0, CliRunner.run(pretrain(full, (int) step + 2)).code());
        assertArrayEquals(Files.readAllBytes(full.resolve("checkpoints/last.safetensors")), Files.readAllBytes(out.resolve("checkpoints/last.safetensors")),
                "resumed after SIGTERM = uninterrupted");
    }

    @Test
    void twoSigtermsStopFineTuningAtOnceAndItStillResumesExactly(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        Path out = tmp.resolve("m");
        Path log = tmp.resolve("child.log");
        Process p = start(log, DownstreamFixtures.seg(data, out, 100000, "--seed", "3", "--val-every", "3"));
        awaitRows(p, out, 4, log); // the state of step 3 is committed before row 4 is written
        p.destroy();
        p.destroy(); // the second: at once, possibly in the middle of writing a state
        assertEquals(143, exit(p), Files.readString(log));

        Map<?, ?> state = DownstreamFixtures.json(out.resolve("train-state.json"));
        int end = ((Number) state.get("step")).intValue() + 3;
        CliRunner.Run resumed = CliRunner.run(DownstreamFixtures.seg(data, out, end, "--seed", "3", "--val-every", "3", "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        Path full = tmp.resolve("full");
        assertEquals(0, CliRunner.run(DownstreamFixtures.seg(data, full, end, "--seed", "3", "--val-every", "3")).code());
        assertArrayEquals(Files.readAllBytes(full.resolve("last.safetensors")), Files.readAllBytes(out.resolve("last.safetensors")),
                "resumed after two SIGTERMs = uninterrupted");
        assertArrayEquals(Files.readAllBytes(full.resolve("best.safetensors")), Files.readAllBytes(out.resolve("best.safetensors")));
    }
}
