package org.cover4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory (from /proc, Linux; -1 elsewhere) and CPU time of this process, and the machine's load. */
final class Memory {
    private Memory() {}

    static long rssBytes() {
        return statusField("VmRSS:");
    }

    /** Memory the JVM has committed for its heap (part of RSS that the GC, not native code, manages). */
    static long javaHeapCommittedBytes() {
        return Runtime.getRuntime().totalMemory();
    }

    /** Peak resident memory since the process started (VmHWM). */
    static long peakRssBytes() {
        return statusField("VmHWM:");
    }

    /** The 1-minute load average of the machine ("?" where unknown): how busy it was while a case ran. */
    static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "?" : String.format(java.util.Locale.ROOT, "%.1f", l);
    }

    /**
     * CPU seconds this process has used, all threads (NaN where unknown). Under load a step's CPU time stays near its
     * quiet wall time (with one compute thread, which does not spin waiting for descheduled partners), while its wall
     * time does not: a step's CPU time is what compares runs on a shared machine.
     */
    static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    private static long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
