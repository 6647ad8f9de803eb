package org.cover4j.cli;

import org.cover4j.torch.Torch;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code info --engine}: the engine line, oneDNN's state as libtorch reports it, and every convolution probe run again
 * — all right after the start-up check (whatever it had to do on this machine), in both precisions.
 */
class InfoEngineTest {
    @Test
    void reportsOneDnnAndEveryProbeRight() {
        CliRunner.Run r = CliRunner.run("info", "--engine");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("engine: libtorch 2.10.0"), r.out());
        assertTrue(java.util.regex.Pattern.compile("oneDNN: " + (Torch.mkldnnAvailable() ? "on" : "off") + " \\(COVER4J_ONEDNN=(auto|on|off)\\)")
                .matcher(r.out()).find(), r.out());
        List<String> probes = Arrays.stream(r.out().split("\n")).filter(l -> l.startsWith("  ")).toList();
        assertTrue(probes.size() >= 10, r.out());
        for (String p : probes) assertTrue(p.startsWith("  right float32 ") || p.startsWith("  right bfloat16 "), p);
        assertTrue(probes.stream().anyMatch(p -> p.contains("bfloat16")) && probes.stream().anyMatch(p -> p.contains("float32")), r.out());
        assertFalse(r.out().contains("WRONG"), r.out());
        assertTrue(CliRunner.run("info").err().contains("--engine"), "the usage error names the new option");
    }
}
