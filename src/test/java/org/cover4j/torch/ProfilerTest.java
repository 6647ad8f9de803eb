package org.cover4j.torch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The profiler's bookkeeping: counts, own times of nested sections, the 'other' row, and nothing recorded when off. */
class ProfilerTest {
    @AfterEach
    void off() {
        Profiler.disable();
    }

    /** Busy for at least {@code nanos} (a measured interval, not an assertion on it). */
    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) Thread.onSpinWait();
    }

    @Test
    void offRecordsNothingAndReturnsOneSharedSection() {
        assertSame(Profiler.section("a"), Profiler.section("b"));
        Profiler.stepDone(1000);
        assertNull(Profiler.disable());
    }

    @Test
    void nestedSectionsCountTheirOwnTimeAndAddUpToAtMostTheStep() {
        Profiler.enable(false);
        for (int step = 0; step < 3; step++) {
            long t0 = System.nanoTime();
            try (Profiler.Section outer = Profiler.section("outer")) {
                spin(200_000);
                for (int i = 0; i < 2; i++) {
                    try (Profiler.Section inner = Profiler.section("inner")) {
                        spin(100_000);
                    }
                }
            }
            spin(50_000);
            Profiler.stepDone(System.nanoTime() - t0);
        }
        Profiler p = Profiler.disable();
        assertEquals(3, p.steps());
        Map<String, Profiler.Row> rows = p.rows().stream().collect(Collectors.toMap(Profiler.Row::name, r -> r));
        assertEquals(java.util.Set.of("outer", "inner", "other"), rows.keySet());
        assertEquals(1.0, rows.get("outer").callsPerStep());
        assertEquals(2.0, rows.get("inner").callsPerStep());
        // Own times: the inner sections' time is not counted again in the outer one, so the rows add up to the step.
        double sum = rows.values().stream().mapToDouble(Profiler.Row::msPerStep).sum();
        assertEquals(p.stepMs(), sum, 1e-9);
        assertTrue(p.coveredMs() <= p.stepMs());
        assertTrue(rows.get("other").msPerStep() >= 0);
    }

    @Test
    void resetForgetsWarmUpAndResolutionsMergeByOperation() {
        Profiler.enable(false);
        try (Profiler.Section s = Profiler.section("warm-up")) {
            spin(10_000);
        }
        Profiler.stepDone(20_000);
        Profiler.reset();
        try (Profiler.Section a = Profiler.section("conv fwd 64³"); Profiler.Section b = Profiler.section("conv fwd 32³")) {
            spin(10_000);
        }
        Profiler.stepDone(1_000_000_000);
        Profiler p = Profiler.disable();
        assertEquals(1, p.steps());
        List<String> byOp = p.rows(true).stream().map(Profiler.Row::name).toList();
        assertEquals(List.of("conv fwd", "other"), byOp);
        assertEquals(2.0, p.rows(true).get(0).callsPerStep());
        assertEquals("unet conv fwd", Profiler.operation("unet conv fwd 128²"));
        assertEquals("unet conv recompute (first)", Profiler.operation("unet conv recompute (first)"));
    }

    @Test
    void workGoesToTheInnermostSectionAndRatesAreWorkOverOwnTime() {
        Profiler.flops(1e9); // off: nothing
        Profiler.enable(false);
        Profiler.flops(5e9); // no section open: nothing
        for (int step = 0; step < 2; step++) {
            long t0 = System.nanoTime();
            try (Profiler.Section outer = Profiler.section("conv 64³")) {
                Profiler.flops(3e9);
                spin(100_000);
                try (Profiler.Section inner = Profiler.section("conv 32³")) {
                    Profiler.flops(1e9);
                    Profiler.flops(0.5e9);
                    spin(100_000);
                }
            }
            try (Profiler.Section plain = Profiler.section("norm 64³")) {
                spin(10_000);
            }
            Profiler.stepDone(System.nanoTime() - t0);
        }
        Profiler p = Profiler.disable();
        Map<String, Profiler.Row> rows = p.rows().stream().collect(Collectors.toMap(Profiler.Row::name, r -> r));
        assertEquals(3.0, rows.get("conv 64³").gflopPerStep(), 1e-12);
        assertEquals(1.5, rows.get("conv 32³").gflopPerStep(), 1e-12);
        Profiler.Row outer = rows.get("conv 64³");
        assertEquals(3.0 / (outer.msPerStep() / 1e3), outer.gflopPerSecond(), 1e-9 * outer.gflopPerSecond());
        assertEquals(0.0, rows.get("norm 64³").gflopPerStep());
        assertTrue(Double.isNaN(rows.get("norm 64³").gflopPerSecond()));
        assertTrue(Double.isNaN(rows.get("other").gflopPerSecond()));
        Profiler.Row merged = p.rows(true).stream().filter(r -> r.name().equals("conv")).findFirst().orElseThrow();
        assertEquals(4.5, merged.gflopPerStep(), 1e-12);
        java.io.StringWriter text = new java.io.StringWriter();
        p.print(new java.io.PrintWriter(text), "t");
        assertTrue(text.toString().contains("GFLOP/s"), text.toString());
    }
}
