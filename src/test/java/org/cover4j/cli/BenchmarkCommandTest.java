package org.cover4j.cli;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code benchmark} measures each case in a child JVM and reports its row; bad flags are refused. */
class BenchmarkCommandTest {
    @Test
    void measures2dCaseInChildProcess() {
        CliRunner.Run r = CliRunner.run("benchmark", "--dim", "2", "--steps", "2", "--warmup", "1", "--views-seconds", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Matcher row = Pattern.compile("2D b2 128\\^2 \\(2 st\\)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9.]+)\\s+([0-9]+)")
                .matcher(r.out());
        assertTrue(row.find(), r.out());
        double step = Double.parseDouble(row.group(1));
        double parts = 0;
        for (int i = 2; i <= 5; i++) parts += Double.parseDouble(row.group(i));
        assertTrue(step > 0, "step time");
        // The median step is close to the sum of the medians of its parts (they come from the same steps).
        assertTrue(Math.abs(step - parts) <= 0.5 * step, "step " + step + " vs parts " + parts);
        assertTrue(Long.parseLong(row.group(6)) > 100, "peak RSS in MiB of a process that loaded libtorch");
        assertTrue(r.out().contains("view pairs per second"), r.out());
    }

    @Test
    void refusesUnknownDimension() {
        CliRunner.Run r = CliRunner.run("benchmark", "--dim", "4");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--dim"), r.err());
    }

    @Test
    void refusesNegativeViewSecondsBeforeMeasuringAnything() {
        CliRunner.Run r = CliRunner.run("benchmark", "--dim", "2", "--views-seconds", "-1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--views-seconds must be >= 0, got -1"), r.err());
        assertTrue(!r.out().contains("2D b2"), "no case ran: " + r.out());
    }
}
