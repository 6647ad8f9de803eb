package org.cover4j.cli;

import org.cover4j.nn.MemoryMode;
import org.cover4j.nn.UNetPass;
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
        assertEquals(1, UNetPass.imagesPerChunk(v64, MemoryMode.DEFAULT), "64³: one volume at a time by default");
        assertEquals(64, UNetPass.imagesPerChunk(v16, MemoryMode.DEFAULT), "16³: 2^18 voxels per chunk");
        assertEquals(1, UNetPass.imagesPerChunk(v16, MemoryMode.LOW));
        assertEquals(Long.MAX_VALUE, UNetPass.imagesPerChunk(v64, MemoryMode.FAST), "the whole batch, whatever its size");
        Precision before = Precision.set(Precision.BF16);
        try {
            assertEquals(2, UNetPass.imagesPerChunk(v64, MemoryMode.DEFAULT), "bf16: the same bytes hold two volumes of 64³");
            assertEquals(1, UNetPass.imagesPerChunk(v64, MemoryMode.LOW));
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
