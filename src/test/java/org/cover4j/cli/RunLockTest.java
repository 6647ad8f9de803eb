package org.cover4j.cli;

import org.cover4j.train.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One run per output folder: a second is refused by name, a dead run's lock and temporaries are cleaned up. */
class RunLockTest {
    static TreeSet<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return new TreeSet<>(s.map(p -> dir.relativize(p).toString()).toList());
        }
    }

    static String[] pretrain(Path out, String... more) {
        return PretrainErrorsTest.concat(PretrainErrorsTest.concat(new String[] {"pretrain", "--steps", "1", "--out", out.toString()},
                CliRunner.tiny()), more);
    }

    @Test
    void aSecondRunOnAFolderInUseIsRefusedByNameAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        try (RunLock held = RunLock.acquire(out, "--out", "cover4j pretrain", System.err)) {
            TreeSet<String> before = names(out);
            for (String[] args : new String[][] {pretrain(out), DownstreamFixtures.seg(data, out, 2)}) {
                CliRunner.Run r = CliRunner.run(args);
                PretrainErrorsTest.assertOneLineError(r, 2, "--out " + out + " is in use by another cover4j run (pid "
                        + ProcessHandle.current().pid() + " on host ", "started ", "cover4j pretrain", RunLock.FILE);
                assertEquals(before, names(out), "nothing written");
            }
        }
        assertFalse(Files.exists(out), "released: a folder the lock created and nothing else used is removed again");
        CliRunner.Run r = CliRunner.run(pretrain(out));
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.log().lines().filter(l -> l.contains("stale")).findAny().orElse(""), "a released lock is not stale");
        assertEquals(0, Files.size(out.resolve(RunLock.FILE)), "released at the end of a run");
    }

    @Test
    void aDeadRunsLockIsTakenOverAndItsTemporariesRemoved(@TempDir Path tmp) throws Exception {
        // What this host writes into a lock file, from a lock held briefly elsewhere.
        String host;
        try (RunLock probe = RunLock.acquire(tmp.resolve("probe"), "--out", "probe", System.err)) {
            host = Files.readAllLines(tmp.resolve("probe").resolve(RunLock.FILE)).stream().filter(l -> l.startsWith("host=")).findFirst().orElseThrow();
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path out = tmp.resolve("run");
        Files.createDirectories(out.resolve("checkpoints"));
        Files.writeString(out.resolve(RunLock.FILE), "pid=" + gone.pid() + "\n" + host + "\nstarted=2025-01-01T00:00:00Z\ncommand=cover4j pretrain\n");
        Files.writeString(out.resolve("checkpoints/.step-4.safetensors.8127361.tmp"), "half");
        Files.writeString(out.resolve(".metrics.csv.55.tmp"), "half");
        CliRunner.Run r = CliRunner.run(pretrain(out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.log().contains("taking over the stale lock " + out.resolve(RunLock.FILE) + " of pid " + gone.pid())
                && r.log().contains("that process is no longer running"), r.log());
        assertTrue(r.log().contains("removed 2 temporary files"), r.log());
        assertFalse(Files.exists(out.resolve("checkpoints/.step-4.safetensors.8127361.tmp")));
        assertFalse(Files.exists(out.resolve(".metrics.csv.55.tmp")));
        assertEquals(0, Files.size(out.resolve(RunLock.FILE)));
    }
}
