package org.cover4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A per-operation profile of training steps: named sections timed with {@link System#nanoTime} and counted, printed as
 * a table of calls, milliseconds and share per step. Off by default; when off, {@link #section} returns one shared
 * no-op object and records nothing (one static read per call).
 *
 * <p>Sections nest, and each records its <em>own</em> time, that of its children subtracted, so that the sections of
 * a step add up to at most the step: what no section covers is the table's {@code other}. CPU operations run
 * synchronously, so a section's time is its operations' time; on CUDA, where kernels run asynchronously, the profiler
 * synchronises the device at each boundary when it is enabled with {@code synchronizeCuda} (which slows the step a
 * little and is why it is off unless asked for). Only the thread that enabled it is profiled: the loader's and the
 * Java kernels' worker threads run inside sections of that thread and count there.
 *
 * <p>A section may also record the arithmetic it did ({@link #flops}, e.g. a convolution's multiply-adds): its row then
 * shows the GFLOP/s it reached, which says whether an operation is slow because it is much work or because it runs
 * far below the machine's rate (small spatial sizes, few channels).
 */
public final class Profiler {
    /** One open section. Close it (try-with-resources) to record it. */
    public interface Section extends AutoCloseable {
        @Override
        void close();
    }

    private static final Section OFF = () -> { };

    private static volatile Profiler active;

    private final Thread owner = Thread.currentThread();
    private final boolean synchronizeCuda;
    private final Map<String, long[]> totals = new LinkedHashMap<>(); // name -> {calls, nanos, cpu nanos, flops}
    private final java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    private final ArrayDeque<Open> stack = new ArrayDeque<>();
    private long steps;
    private long stepNanos;

    private Profiler(boolean synchronizeCuda) {
        this.synchronizeCuda = synchronizeCuda;
    }

    /** Starts profiling on the calling thread (replacing any profile in progress); {@code synchronizeCuda} for CUDA devices. */
    public static void enable(boolean synchronizeCuda) {
        active = new Profiler(synchronizeCuda);
    }

    /** Stops profiling and returns what was recorded (null if it was not enabled). */
    public static Profiler disable() {
        Profiler p = active;
        active = null;
        return p;
    }

    /** The profile in progress, or null. */
    public static Profiler active() {
        return active;
    }

    public static boolean enabled() {
        return active != null;
    }

    /** Opens section {@code name}; a no-op unless profiling on this thread. */
    public static Section section(String name) {
        Profiler p = active;
        if (p == null || Thread.currentThread() != p.owner) return OFF;
        return p.open(name);
    }

    /**
     * Opens section {@code name} followed by the spatial size of {@code x} ({@code 64³}, {@code 128²}): one row per
     * resolution. The name is only built when profiling.
     */
    public static Section section(String name, Tensor x) {
        Profiler p = active;
        if (p == null || Thread.currentThread() != p.owner) return OFF;
        return p.open(name + " " + resolution(x));
    }

    /**
     * Adds {@code flops} floating-point operations (a multiply-add counts two) to the innermost open section of the
     * profiled thread; nothing when profiling is off or no section is open. Work is not passed on to enclosing sections.
     */
    public static void flops(double flops) {
        Profiler p = active;
        if (p == null || Thread.currentThread() != p.owner || p.stack.isEmpty()) return;
        p.stack.peek().flops += flops;
    }

    /**
     * Records {@code passes} times the work of a convolution with output (or output gradient) {@code out} and weight
     * {@code weight} — {@code 2 · out.numel() · weight.numel() / weight.size(0)} operations, each output value a sum over
     * the input channels (of its group) and the kernel — in the innermost open section. A convolution's backward is
     * two such passes (input and weight gradients), one when only the weight gradient is computed. Bias terms are not
     * counted. Nothing, not even the shapes' reading, when profiling is off.
     */
    public static void convolutionWork(Tensor out, Tensor weight, int passes) {
        if (!enabled()) return;
        flops(passes * 2.0 * out.numel() * (double) (weight.numel() / weight.size(0)));
    }

    /**
     * Ends a step of {@code nanos} wall time (the loop's own measure): the table's rows are per step, and its
     * {@code other} is the steps' time that no section covers.
     */
    public static void stepDone(long nanos) {
        Profiler p = active;
        if (p == null || Thread.currentThread() != p.owner) return;
        p.steps++;
        p.stepNanos += nanos;
    }

    /** Forgets what was recorded so far (the warm-up steps); open sections stay open. */
    public static void reset() {
        Profiler p = active;
        if (p == null) return;
        p.totals.clear();
        p.steps = 0;
        p.stepNanos = 0;
    }

    private Section open(String name) {
        sync();
        Open o = new Open(name, System.nanoTime(), cpu.getCurrentThreadCpuTime());
        stack.push(o);
        return o;
    }

    private void sync() {
        if (synchronizeCuda) torch.cuda_synchronize();
    }

    /** "64³" or "128²" (the first spatial axis; COVER's crops are cubes and squares), "?" for other shapes. */
    static String resolution(Tensor x) {
        long d = x.dim();
        if (d == 4) return x.size(2) + "²";
        if (d == 5) return x.size(2) + "³";
        return "?";
    }

    private final class Open implements Section {
        final String name;
        final long start;
        final long startCpu;
        long children;
        long childrenCpu;
        double flops;
        boolean closed;

        Open(String name, long start, long startCpu) {
            this.name = name;
            this.start = start;
            this.startCpu = startCpu;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            sync();
            long elapsed = System.nanoTime() - start;
            long elapsedCpu = cpu.getCurrentThreadCpuTime() - startCpu;
            // Sections close in the reverse order of opening (try-with-resources); anything left open above this one
            // (an exception skipped its close) is dropped.
            while (!stack.isEmpty() && stack.peek() != this) stack.pop();
            stack.poll();
            long[] t = totals.computeIfAbsent(name, k -> new long[4]);
            t[0]++;
            t[1] += elapsed - children;
            t[2] += elapsedCpu - childrenCpu;
            t[3] += Math.round(flops);
            Open parent = stack.peek();
            if (parent != null) {
                parent.children += elapsed;
                parent.childrenCpu += elapsedCpu;
            }
        }
    }

    /**
     * One row of the table: a section's calls and milliseconds per step, and the CPU milliseconds of the profiled thread
     * in it (with one thread, the work itself, which other processes on the machine do not inflate as they do wall time;
     * with more, the calling thread's share only; NaN for {@code other}), and the floating-point work recorded in it
     * per step ({@link #flops}; 0 where none was).
     */
    public record Row(String name, double callsPerStep, double msPerStep, double percent, double threadCpuMsPerStep, double gflopPerStep) {
        /** The rate the section's own time reached on its recorded work, or NaN where it recorded none. */
        public double gflopPerSecond() {
            return gflopPerStep > 0 && msPerStep > 0 ? gflopPerStep / (msPerStep / 1e3) : Double.NaN;
        }
    }

    public long steps() {
        return steps;
    }

    /** Milliseconds per step of the steps' wall time. */
    public double stepMs() {
        return steps == 0 ? 0 : stepNanos / 1e6 / steps;
    }

    /** The sections, slowest first, then {@code other} (the steps' time outside every section; 0 or more). */
    public List<Row> rows() {
        return rows(false);
    }

    /**
     * As {@link #rows()}, with {@code byOperation} the sections of one operation at every resolution ({@code "unet
     * conv fwd 64³"}, {@code "unet conv fwd 32³"}, ...) summed into one row ({@code "unet conv fwd"}).
     */
    public List<Row> rows(boolean byOperation) {
        List<Row> rows = new ArrayList<>();
        if (steps == 0) return rows;
        Map<String, long[]> merged = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : totals.entrySet()) {
            long[] t = merged.computeIfAbsent(byOperation ? operation(e.getKey()) : e.getKey(), k -> new long[4]);
            for (int i = 0; i < 4; i++) t[i] += e.getValue()[i];
        }
        double step = stepMs();
        double covered = 0;
        for (Map.Entry<String, long[]> e : merged.entrySet()) {
            double ms = e.getValue()[1] / 1e6 / steps;
            covered += ms;
            rows.add(new Row(e.getKey(), (double) e.getValue()[0] / steps, ms, step > 0 ? 100 * ms / step : 0, e.getValue()[2] / 1e6 / steps,
                    e.getValue()[3] / 1e9 / steps));
        }
        rows.sort((a, b) -> Double.compare(b.msPerStep(), a.msPerStep()));
        double other = Math.max(0, step - covered);
        rows.add(new Row("other", 0, other, step > 0 ? 100 * other / step : 0, Double.NaN, 0));
        return rows;
    }

    /** A section's name without its resolution suffix ({@code " 64³"}, {@code " 128²"}). */
    static String operation(String name) {
        int space = name.lastIndexOf(' ');
        if (space < 0) return name;
        String last = name.substring(space + 1);
        return last.matches("\\d+[²³]|\\?") ? name.substring(0, space) : name;
    }

    /** Milliseconds per step that the sections cover (their own times summed). */
    public double coveredMs() {
        if (steps == 0) return 0;
        long n = 0;
        for (long[] t : totals.values()) n += t[1];
        return n / 1e6 / steps;
    }

    /**
     * The tables: by operation (resolutions summed), then by operation and resolution; each row's calls per step, ms
     * per step, % of the step, the profiled thread's CPU ms, the GFLOP per step and GFLOP/s of the sections that
     * recorded their work, and {@code other}.
     */
    public void print(PrintWriter out, String title) {
        out.printf(Locale.ROOT, "%nProfile: %s (%d steps, mean step %.1f ms; each section's own time, nested sections subtracted)%n",
                title, steps, stepMs());
        table(out, "by operation", rows(true));
        table(out, "by operation and resolution", rows(false));
        out.flush();
    }

    private static void table(PrintWriter out, String heading, List<Row> rows) {
        out.printf(Locale.ROOT, "%n%-46s %10s %10s %7s %12s %10s %9s%n", "section (" + heading + ")", "calls/step", "ms/step", "%",
                "thread_cpu_ms", "GFLOP/step", "GFLOP/s");
        for (Row r : rows) {
            boolean other = r.name().equals("other");
            boolean work = r.gflopPerStep() > 0;
            out.printf(Locale.ROOT, "%-46s %10s %10.1f %6.1f%% %12s %10s %9s%n", r.name(),
                    other ? "" : String.format(Locale.ROOT, "%.1f", r.callsPerStep()), r.msPerStep(), r.percent(),
                    other ? "" : String.format(Locale.ROOT, "%.1f", r.threadCpuMsPerStep()),
                    work ? String.format(Locale.ROOT, "%.2f", r.gflopPerStep()) : "",
                    work ? String.format(Locale.ROOT, "%.1f", r.gflopPerSecond()) : "");
        }
    }
}
