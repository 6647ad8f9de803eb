package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.cover4j.torch.Profiler;

import java.io.PrintWriter;

/** {@code --profile} of {@code pretrain} and {@code benchmark}: the per-operation table of {@link Profiler}. */
final class Profiling {
    private Profiling() {}

    /** Starts profiling this thread's steps (synchronising the device at each section's ends on CUDA). */
    static void start(Device device) {
        Profiler.enable(device.is_cuda());
    }

    /** Stops profiling and prints the table, titled {@code title}, to {@code out}. */
    static void finish(PrintWriter out, String title) {
        Profiler p = Profiler.disable();
        if (p != null && p.steps() > 0) p.print(out, title);
    }
}
