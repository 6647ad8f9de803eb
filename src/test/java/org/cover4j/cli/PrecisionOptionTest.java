package org.cover4j.cli;

import org.cover4j.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --precision}: recorded in the checkpoint's settings, kept by {@code --resume} (a bf16 run interrupted and
 * resumed without the option ends bitwise equal to an uninterrupted bf16 run, and differs from the fp32 run), refused
 * when it contradicts the checkpoint, and an unknown value is a usage error naming the flag. The bf16 arithmetic
 * itself is checked in UNetPassBf16Test and PrecisionTest.
 */
class PrecisionOptionTest {
    private static final int STEPS = 3;

    @Test
    void recordedAndKeptOnResume(@TempDir Path tmp) throws Exception {
        Path bf16 = tmp.resolve("bf16");
        assertEquals(0, CliRunner.run(PretrainResumeTest.args(bf16, STEPS, "--precision", "bf16")).code());
        Map<?, ?> settings = (Map<?, ?>) DownstreamFixtures.json(bf16.resolve("checkpoints/last.json")).get("settings");
        assertEquals("bf16", settings.get("precision"));

        Path fp32 = tmp.resolve("fp32");
        assertEquals(0, CliRunner.run(PretrainResumeTest.args(fp32, STEPS)).code());
        assertEquals("fp32", ((Map<?, ?>) DownstreamFixtures.json(fp32.resolve("checkpoints/last.json")).get("settings")).get("precision"));
        assertFalse(sameWeights(bf16, fp32), "bf16 and fp32 runs differ (the option changes the arithmetic)");

        Path split = tmp.resolve("split");
        assertEquals(0, CliRunner.run(PretrainResumeTest.args(split, 1, "--precision", "bf16")).code());
        CliRunner.Run resumed = CliRunner.run(PretrainResumeTest.args(split, STEPS, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        PretrainResumeTest.assertSameWeights(bf16, split);

        CliRunner.Run contradicted = CliRunner.run(PretrainResumeTest.args(split, STEPS + 1, "--resume", "--precision", "fp32"));
        assertEquals(2, contradicted.code());
        assertTrue(contradicted.err().contains("--precision fp32 differs from the checkpoint's bf16"), contradicted.err());
    }

    @Test
    void unknownPrecisionIsAUsageErrorNamingTheFlag(@TempDir Path tmp) {
        CliRunner.Run r = CliRunner.run(PretrainResumeTest.args(tmp.resolve("x"), 1, "--precision", "fp16"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--precision must be fp32 or bf16, got fp16"), r.err());
        assertFalse(Files.exists(tmp.resolve("x/checkpoints/last.json")), "nothing trained");
    }

    private static boolean sameWeights(Path a, Path b) {
        SafeTensors.Contents x = SafeTensors.read(a.resolve("checkpoints/last.safetensors"));
        SafeTensors.Contents y = SafeTensors.read(b.resolve("checkpoints/last.safetensors"));
        for (String k : x.tensors().keySet()) {
            if (!Arrays.equals(x.tensors().get(k).data(), y.tensors().get(k).data())) return false;
        }
        return true;
    }
}
