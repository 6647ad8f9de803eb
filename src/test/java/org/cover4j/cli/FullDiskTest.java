package org.cover4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write that fails as on a full disk (a child process whose file-size limit, {@code ulimit -f}, is below a
 * checkpoint's size: every checkpoint write fails with "File too large") stops the run with one line naming the file,
 * leaves no partial or temporary file behind, and the same command run again on a disk with room ends bitwise equal to
 * an uninterrupted run.
 */
class FullDiskTest {
    @Test
    void aFailedCheckpointWriteNamesTheFileLeavesNothingHalfWrittenAndTheRunCanBeRedone(@TempDir Path tmp) throws Exception {
        Path full = tmp.resolve("full");
        CliRunner.Run r = CliRunner.run(PretrainResumeTest.args(full, 3));
        assertEquals(0, r.code(), r.err());

        Path run = tmp.resolve("run");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(PretrainResumeTest.args(run, 3)));
        StringBuilder sh = new StringBuilder("ulimit -f 600; exec");
        for (String c : cmd) sh.append(" '").append(c.replace("'", "'\\''")).append("'");
        Process p = new ProcessBuilder("sh", "-c", sh.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        int code = p.waitFor();
        String log = Files.readString(tmp.resolve("child.log"));
        assertEquals(3, code, log);
        assertTrue(log.lines().anyMatch(l -> l.startsWith("cover4j: ") && l.contains("step-1.safetensors: cannot write") && l.contains("File too large")), log);
        try (Stream<Path> files = Files.walk(run.resolve("checkpoints"))) {
            List<String> left = files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).toList();
            assertEquals(List.of(), left, "no partial checkpoint file");
        }
        r = CliRunner.run(PretrainResumeTest.args(run, 3));
        assertEquals(0, r.code(), r.err());
        PretrainResumeTest.assertSameWeights(full, run);
    }
}
