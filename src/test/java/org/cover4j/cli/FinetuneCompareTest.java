package org.cover4j.cli;

import org.cover4j.metrics.Statistics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.cover4j.cli.DownstreamFixtures.json;
import static org.cover4j.cli.DownstreamFixtures.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code finetune --init RUN --compare-scratch N}: paired runs from pre-trained weights and from scratch, and their statistics. */
class FinetuneCompareTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path pretrain;

    @BeforeAll
    static void setUp() {
        data = DownstreamFixtures.seg2d(shared.resolve("seg"), 4, 2, 48);
        pretrain = DownstreamFixtures.pretrain(shared.resolve("pretrain"));
    }

    /** {@link DownstreamFixtures#seg} without --channels: the network is the checkpoint's. */
    private static String[] fromCheckpoint(Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of(seg(data, out, steps, more)));
        int i = a.indexOf("--channels");
        a.remove(i + 1);
        a.remove(i);
        return a.toArray(new String[0]);
    }

    private static double testDice(Path dir) throws Exception {
        return ((Number) json(dir.resolve("test/metrics.json")).get("mean_dice")).doubleValue();
    }

    /**
     * Each seed runs once from the checkpoint and once from scratch: the scratch arm is an ordinary scratch run of that
     * seed on the checkpoint's network (the same test score as {@code finetune --seed S} without --init), the summary
     * holds each run's own test score, and its statistics are those of the per-seed differences.
     */
    @Test
    void eachSeedRunsFromTheCheckpointAndFromScratchAndTheDifferencesAreTested(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("cmp");
        String test = data.resolve("test").toString();
        CliRunner.Run r = CliRunner.run(fromCheckpoint(out, 4, "--init", pretrain.toString(), "--test", test, "--seed", "3",
                "--compare-scratch", "3"));
        assertEquals(0, r.code(), r.err());
        Map<?, ?> summary = json(out.resolve("comparison.json"));
        Map<?, ?> runs = (Map<?, ?>) summary.get("runs");
        assertEquals(List.of("3", "4", "5"), List.copyOf(runs.keySet()));
        double[] a = new double[3];
        double[] b = new double[3];
        for (int i = 0; i < 3; i++) {
            String seed = String.valueOf(3 + i);
            Map<?, ?> run = (Map<?, ?>) runs.get(seed);
            Path pre = out.resolve("pretrained/seed-" + seed);
            Path scratch = out.resolve("scratch/seed-" + seed);
            a[i] = testDice(pre);
            b[i] = testDice(scratch);
            assertEquals(a[i], ((Number) run.get("pretrained")).doubleValue(), 0);
            assertEquals(b[i], ((Number) run.get("scratch")).doubleValue(), 0);
            Map<?, ?> preSettings = (Map<?, ?>) json(pre.resolve("train-state.json")).get("settings");
            Map<?, ?> scratchSettings = (Map<?, ?>) json(scratch.resolve("train-state.json")).get("settings");
            assertEquals(pretrain.toString(), preSettings.get("init"));
            assertNull(scratchSettings.get("init"), "the scratch arm loads nothing");
            assertEquals(((Number) preSettings.get("seed")).longValue(), ((Number) scratchSettings.get("seed")).longValue());
            assertEquals(((Map<?, ?>) json(pre.resolve("model.json")).get("model")).get("channels"),
                    ((Map<?, ?>) json(scratch.resolve("model.json")).get("model")).get("channels"), "the same network in both arms");
        }
        assertNotEquals(a[0], b[0], "the pre-trained weights change the run");
        Statistics.Paired p = Statistics.pairedT(a, b);
        Map<?, ?> result = (Map<?, ?>) summary.get("result");
        assertEquals(p.meanDiff(), ((Number) result.get("mean_difference")).doubleValue(), 1e-12);
        assertEquals(p.p(), ((Number) result.get("paired_t_p")).doubleValue(), 1e-12);
        int better = 0;
        for (int i = 0; i < 3; i++) if (a[i] > b[i]) better++;
        assertEquals(better, ((Number) result.get("pretrained_better")).intValue());
        assertTrue(Files.readString(out.resolve("comparison.md")).contains("| 4 |"), "the report lists every seed");
        assertTrue(r.out().contains("pre-trained better on " + better + " of 3 seeds"), r.out());

        // The scratch arm is what a plain scratch run of that seed gives.
        Path single = tmp.resolve("single");
        assertEquals(0, CliRunner.run(seg(data, single, 4, "--seed", "4", "--test", test)).code());
        assertEquals(testDice(single), b[1], 1e-9);

        // Resumed from the folder alone after its last run was lost: the finished runs stay as they were, the lost one
        // trains again to the same score.
        FileTime kept = Files.getLastModifiedTime(out.resolve("pretrained/seed-3/best.safetensors"));
        deleteTree(out.resolve("scratch/seed-5"));
        CliRunner.Run resumed = CliRunner.run("finetune", "--task", "seg", "--out", out.toString(), "--resume", "--steps", "4", "--threads", "1");
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(kept, Files.getLastModifiedTime(out.resolve("pretrained/seed-3/best.safetensors")), "a finished run is not trained again");
        assertEquals(b[2], testDice(out.resolve("scratch/seed-5")), 1e-9);
        assertEquals(p.p(), ((Number) ((Map<?, ?>) json(out.resolve("comparison.json")).get("result")).get("paired_t_p")).doubleValue(), 1e-9);

        CliRunner.Run other = CliRunner.run("finetune", "--task", "seg", "--out", out.toString(), "--resume", "--compare-scratch", "4");
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--compare-scratch 4 differs from the saved comparison's 3"), other.err());
        CliRunner.Run again = CliRunner.run(fromCheckpoint(out, 4, "--init", pretrain.toString(), "--test", test, "--compare-scratch", "3"));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds"), again.err());
    }

    @Test
    void refusesWhatCannotBeCompared(@TempDir Path tmp) {
        String test = data.resolve("test").toString();
        String init = pretrain.toString();
        assertRefused(seg(data, tmp.resolve("a"), 2, "--test", test, "--compare-scratch", "2"), "needs --init");
        assertRefused(fromCheckpoint(tmp.resolve("b"), 2, "--init", init, "--compare-scratch", "2"), "needs --test");
        assertRefused(fromCheckpoint(tmp.resolve("c"), 2, "--init", init, "--test", test, "--compare-scratch", "1"), "at least 2 seeds");
        assertRefused(fromCheckpoint(tmp.resolve("d"), 2, "--init", init, "--test", test, "--compare-scratch", "2", "--restarts", "3"),
                "cannot be combined");
    }

    /** A comparison stopped before its first run saved anything cannot be resumed from the folder alone: it says so. */
    @Test
    void aComparisonWithoutAnySavedRunNeedsItsWholeCommandToResume(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("cmp");
        Files.createDirectories(out);
        Files.writeString(out.resolve("comparison.json"), "{\"seeds\": 2, \"first_seed\": 0, \"init\": \"" + pretrain + "\", \"runs\": {}}");
        assertRefused(new String[] {"finetune", "--task", "seg", "--out", out.toString(), "--resume"}, "give its whole command again");
    }

    /**
     * SIGTERM in the middle of the comparison's first run: it saves that run's state, names the run and the command that
     * resumes, exits 143; the resumed comparison continues that run to the end bitwise as an uninterrupted single run of
     * the same seed and then runs the rest.
     */
    @Test
    void sigtermStopsTheComparisonInItsRunAndTheResumeContinuesThatRunExactly(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("cmp");
        Path log = tmp.resolve("child.log");
        String test = data.resolve("test").toString();
        Process p = InterruptTest.start(log, fromCheckpoint(out, 100000, "--init", pretrain.toString(), "--test", test, "--seed", "5",
                "--val-every", "3", "--compare-scratch", "2"));
        Path first = out.resolve("pretrained/seed-5");
        InterruptTest.awaitRows(p, first, 4, log); // the state of step 3 is committed before row 4 is written
        p.destroy();
        assertEquals(143, InterruptTest.exit(p), Files.readString(log));
        String said = Files.readString(log);
        assertTrue(said.contains(" of " + first + "; the finished runs and this run's state are saved; resume with: cover4j finetune --task seg --out "
                + out + " --resume"), said);
        assertTrue(Files.notExists(out.resolve("scratch")), "the scratch arm has not started");

        int end = ((Number) json(first.resolve("train-state.json")).get("step")).intValue() + 3;
        CliRunner.Run resumed = CliRunner.run("finetune", "--task", "seg", "--out", out.toString(), "--resume", "--steps", "" + end);
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.log().contains("resuming " + first + " at step " + (end - 3) + " of " + end), "continued, not started again: " + resumed.log());
        Path single = tmp.resolve("single");
        assertEquals(0, CliRunner.run(fromCheckpoint(single, end, "--init", pretrain.toString(), "--test", test, "--seed", "5",
                "--val-every", "3")).code());
        assertArrayEquals(Files.readAllBytes(single.resolve("last.safetensors")), Files.readAllBytes(first.resolve("last.safetensors")),
                "the interrupted run, resumed, ends as an uninterrupted one");
        Map<?, ?> runs = (Map<?, ?>) json(out.resolve("comparison.json")).get("runs");
        assertEquals(2, runs.size(), "both seeds compared after the resume: " + runs);
        assertEquals(testDice(single), testDice(first), 0);
    }

    private static void assertRefused(String[] args, String message) {
        CliRunner.Run r = CliRunner.run(args);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertTrue(r.err().strip().lines().count() <= 2, "a short error: " + r.err());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
