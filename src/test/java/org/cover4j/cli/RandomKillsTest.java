package org.cover4j.cli;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection: a pre-training run with a checkpoint at every step (so that kills often land inside a save) is
 * killed with SIGKILL at seeded random moments and resumed, again and again, until it completes; it must end
 * bitwise equal to an uninterrupted run, with one metrics row per step.
 */
class RandomKillsTest {
    private static final int STEPS = 20;

    static String[] args(Path out, boolean resume) {
        List<String> a = new ArrayList<>(List.of("pretrain"));
        a.addAll(List.of(CliRunner.tiny("--steps", "" + STEPS, "--checkpoint-every", "1", "--keep-checkpoints", "2", "--seed", "4",
                "--out", out.toString())));
        if (resume) a.add("--resume");
        return a.toArray(new String[0]);
    }

    @Test
    void killedAtRandomMomentsAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(args(full, false));
        assertEquals(0, r.code(), r.err());

        Path run = tmp.resolve("killed");
        Rng rng = new Rng(2026);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int kills = 0;
        for (int attempt = 0; attempt < 40; attempt++) {
            boolean resume = Files.exists(run.resolve("checkpoints/last.json")) || Files.exists(run.resolve("metrics.csv"));
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            String before = listing(run);
            cmd.addAll(List.of(args(run, resume && hasCheckpoint(run))));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child-" + attempt + ".log").toFile()).start();
            // Once the child has written a new metrics row (its step is done; its checkpoint is being written), a kill after
            // a random 0-300 ms: within the save, or in a later step.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            int rows = rows(run);
            while (p.isAlive() && rows(run) <= Math.max(rows, 1) && System.nanoTime() < deadline) Thread.sleep(5);
            if (p.waitFor(rng.randint(0, 300), TimeUnit.MILLISECONDS)) {
                String log = Files.readString(tmp.resolve("child-" + attempt + ".log")) + "\nfolder before: " + before;
                assertEquals(0, p.exitValue(), log);
                if (log.contains("done: step " + STEPS) || log.contains("nothing to do")) break;
                continue;
            }
            p.destroyForcibly().waitFor();
            kills++;
        }
        System.out.printf("random kills: the run was killed %d times before it completed%n", kills);
        assertTrue(kills >= 1, "the run was killed " + kills + " times");
        r = CliRunner.run(args(run, true));
        assertEquals(0, r.code(), r.err() + "\nkills " + kills + ", folder: " + listing(run));
        PretrainResumeTest.assertSameWeights(full, run);
        assertEquals(STEPS + 1, Files.readAllLines(run.resolve("metrics.csv")).size(), "header + one row per step");
    }

    /** Lines of the run's metrics.csv (header included), 0 when there is none yet. */
    private static int rows(Path run) throws Exception {
        Path m = run.resolve("metrics.csv");
        try {
            return Files.exists(m) ? Files.readAllLines(m).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static String listing(Path run) throws Exception {
        if (!Files.isDirectory(run)) return "(none)";
        try (var files = Files.walk(run)) {
            return files.map(f -> run.relativize(f).toString()).sorted().toList().toString();
        }
    }

    private static boolean hasCheckpoint(Path run) throws Exception {
        Path ck = run.resolve("checkpoints");
        if (!Files.isDirectory(ck)) return false;
        try (var files = Files.list(ck)) {
            return files.anyMatch(f -> f.getFileName().toString().matches("step-\\d+\\.json|last\\.json"));
        }
    }
}
