package org.cover4j.cli;

import org.cover4j.nn.BackwardChunking;
import org.cover4j.nn.MemoryMode;
import org.cover4j.torch.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --fast-backward} and {@code --low-memory}: the backward chunk each gives, the same training where they differ
 * (64³ volumes, which the default runs one at a time), and the two together refused.
 */
class MemoryModeCliTest {
    @Test
    void chunkSizesPerMode() {
        long v64 = 64L * 64 * 64;
        long v16 = 16L * 16 * 16;
        assertEquals(new BackwardChunking(1, 1), BackwardChunking.of(2, v64, MemoryMode.DEFAULT),
                "64³, two volumes: one at a time at 64³, both at once from 32³ (2 · 32³ ≤ 2^18)");
        assertEquals(new BackwardChunking(1, 1), BackwardChunking.of(4, v64, MemoryMode.DEFAULT), "four volumes: still split");
        assertEquals(BackwardChunking.perChunk(1), BackwardChunking.of(5, v64, MemoryMode.DEFAULT),
                "five volumes: more than four chunks of skip gradients would wait, so every level per chunk");
        assertEquals(BackwardChunking.perChunk(64), BackwardChunking.of(8, v16, MemoryMode.DEFAULT), "16³: 2^18 voxels per chunk, the batch in one");
        assertEquals(new BackwardChunking(4, 1), BackwardChunking.of(16, 256L * 256, MemoryMode.DEFAULT),
                "2D 256², 16 images: four chunks at 256², the 16 together from 128²");
        assertEquals(BackwardChunking.perChunk(1), BackwardChunking.of(2, v64, MemoryMode.LOW));
        assertEquals(BackwardChunking.perChunk(Long.MAX_VALUE), BackwardChunking.of(2, v64, MemoryMode.FAST), "the whole batch, whatever its size");
        Precision before = Precision.set(Precision.BF16);
        try {
            assertEquals(BackwardChunking.perChunk(2), BackwardChunking.of(2, v64, MemoryMode.DEFAULT), "bf16: the same bytes hold two volumes of 64³");
            assertEquals(BackwardChunking.perChunk(1), BackwardChunking.of(2, v64, MemoryMode.LOW));
        } finally {
            Precision.set(before);
        }
    }

    private static String[] args(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("pretrain", "--dim", "3", "--size", "64", "--batch", "2", "--steps", "2",
                "--channels", "8,16,32,64,128,64,32,16,8", "--demo-images", "2", "--threads", "1", "--workers", "1", "--seed", "5",
                "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    /** The second step's loss follows from the first step's gradients: whole-batch and per-volume backward agree on it. */
    @Test
    void fastBackwardTrainsAsTheDefault(@TempDir Path tmp) throws Exception {
        Path normal = tmp.resolve("normal");
        Path fast = tmp.resolve("fast");
        CliRunner.Run a = CliRunner.run(args(normal));
        assertEquals(0, a.code(), a.err());
        CliRunner.Run b = CliRunner.run(args(fast, "--fast-backward"));
        assertEquals(0, b.code(), b.err());
        List<String> x = Files.readAllLines(normal.resolve("metrics.csv"));
        List<String> y = Files.readAllLines(fast.resolve("metrics.csv"));
        double first = Double.parseDouble(x.get(1).split(",")[3]);
        double second = Double.parseDouble(x.get(2).split(",")[3]);
        double fastSecond = Double.parseDouble(y.get(2).split(",")[3]);
        assertNotEquals(first, second, "the first step changed the weights");
        assertEquals(second, fastSecond, 1e-4 * Math.abs(second), "second-step loss");
    }

    @Test
    void bothFlagsAreRefusedBeforeAnythingIsWritten(@TempDir Path tmp) {
        Path out = tmp.resolve("both");
        CliRunner.Run r = CliRunner.run(args(out, "--fast-backward", "--low-memory"));
        assertEquals(2, r.code(), r.err());
        String msg = r.err().strip();
        assertEquals(1, msg.lines().count(), msg);
        assertTrue(msg.contains("--fast-backward") && msg.contains("--low-memory"), msg);
        assertFalse(Files.exists(out.resolve("metrics.csv")), "nothing written");
    }
}
