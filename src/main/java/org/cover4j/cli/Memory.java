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

    /** CPU time of this process, all threads, in nanoseconds; -1 where unknown. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** The 1-minute load average of the machine ("?" where unknown): how busy it was while a case ran. */
    static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "?" : String.format(java.util.Locale.ROOT, "%.1f", l);
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
