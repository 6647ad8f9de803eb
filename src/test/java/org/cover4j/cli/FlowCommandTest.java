package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code analyze flow} on a run folder and on a checkpoint file; refusals of what it cannot analyse. */
class FlowCommandTest {
    @Test
    void tableForARunAndACheckpoint(@TempDir Path tmp) {
        Path run = DownstreamFixtures.pretrain(tmp.resolve("run"));
        CliRunner.Run r = CliRunner.run("analyze", "flow", "--model", run.toString(), "--model",
                run.resolve("checkpoints/last.json").toString(), "--pairs", "2", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(4, lines.length, r.out());
        for (int i = 1; i <= 2; i++) {
            String[] cols = lines[i].trim().split("\\s+");
            assertEquals("2", cols[1], lines[i]); // the step of the newest checkpoint
            for (int k = 2; k < cols.length; k++) assertTrue(Double.parseDouble(cols[k]) > 0, lines[i]);
            assertEquals(8, cols.length, lines[i]);
        }
        assertEquals(lines[1].trim().split("\\s+", 2)[1], lines[2].trim().split("\\s+", 2)[1], "same pairs, same model: same errors");
    }

    @Test
    void refusesWhatItCannotAnalyse(@TempDir Path tmp) {
        CliRunner.Run r = CliRunner.run("analyze", "flow", "--model", tmp.resolve("nope").toString());
        assertTrue(r.code() != 0 && r.err().strip().lines().count() == 1 && r.err().contains("--model"), r.err());
        Path byol = tmp.resolve("byol");
        CliRunner.Run p = CliRunner.run(DownstreamFixtures.concat(new String[] {"pretrain"},
                CliRunner.tiny("--method", "byol", "--steps", "1", "--out", byol.toString())));
        assertEquals(0, p.code(), p.err());
        r = CliRunner.run("analyze", "flow", "--model", byol.toString());
        assertTrue(r.code() != 0 && r.err().strip().lines().count() == 1 && r.err().contains("byol"), r.err());
        r = CliRunner.run("analyze", "flow", "--model", byol.toString(), "--pairs", "0");
        assertTrue(r.code() == 2 && r.err().contains("--pairs"), r.err());
    }
}
