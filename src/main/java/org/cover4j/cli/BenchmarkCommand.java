package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.cover4j.augment.ViewThroughput;
import org.cover4j.pretrain.PretrainImages;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.Pretraining;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Precision;
import org.cover4j.torch.Torch;
import org.cover4j.train.Optimizer;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainRun;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.Methods;
import org.cover4j.train.Provenance;
import org.cover4j.train.StepLoop;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

/**
 * {@code cover4j benchmark}: the speed and memory of real pre-training steps (2D batch 2 × 128², 3D batch 1 × 64³,
 * default channels) with their split into data / forward / backward / optimizer, peak and growth of the resident
 * memory over many steps, and how many view pairs per second the CPU can make.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        header = "Measure pre-training step time, its breakdown, memory growth and view-pair throughput.",
        description = {"", "Runs real training steps on synthetic phantoms. Reports the median step time after warm-up, "
                + "the median data/forward/backward/optimizer split, peak RSS, the growth of RSS from the end of warm-up to "
                + "the last step and the part of it that is not the Java heap growing (flat = no native leak), RSS at a few "
                + "steps, the median CPU seconds of the whole process per step (cpu_s: what compares runs on a loaded "
                + "machine, with --threads 1), and view pairs per second with 1 and all threads. Each case runs in a fresh JVM, so that its "
                + "peak RSS is its own.", ""})
public final class BenchmarkCommand implements Callable<Integer> {
    @Mixin
    Options common;

    @Mixin
    PrecisionOption precision;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dim", defaultValue = "both", description = "2, 3 or both (default: ${DEFAULT-VALUE}).")
    String dim;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "200", description = "Measured steps per case (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--steps-3d", paramLabel = "N", description = "Measured steps for 3D (default: same as --steps).")
    Integer steps3d;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "5", description = "Unmeasured warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--views-seconds", paramLabel = "S", defaultValue = "5", description = "Seconds per view-throughput measurement; 0 skips it (default: ${DEFAULT-VALUE}).")
    int viewSeconds;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "cover",
            description = "Pre-training method to time, with its default settings: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = PretrainCommand.MethodNames.class)
    String method;

    /** --backbone and its options: the network the method trains (default: the U-Net). */
    @Mixin
    BackboneOptions backboneOptions = new BackboneOptions();

    @Mixin
    MemoryOptions memory = new MemoryOptions();

    @Option(names = "--profile", description = "Also time every operation of the measured steps and print a table per case "
            + "(calls, ms and share per step; see pretrain --profile).")
    boolean profile;

    @Option(names = "--preset", paramLabel = "NAME", description = "The paper's pre-training configurations instead of the "
            + "standard cases: paper-2d (batch 24, 384² crops; the reference loader's 576² images, to which the paper's 512² "
            + "chest X-rays are resized) or paper-3d (batch 2, 128³ crops of 192³ volumes, the PPMI volumes of 160×160×128 "
            + "resized by the loader; --low-memory on). Few steps: --steps defaults to 2 and --warmup to 1 with a preset.")
    String preset;

    /** Set on the child process that measures one case (see {@link #runCase}). */
    @Option(names = "--in-process", hidden = true)
    boolean inProcess;

    @Override
    public Integer call() throws IOException {
        if (!List.of("2", "3", "both").contains(dim)) throw CoverException.usage("--dim must be 2, 3 or both, got " + dim);
        PaperPreset paper = preset == null ? null : PaperPreset.get(preset);
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (paper != null) {
            if (!parsed.hasMatchedOption("--steps")) steps = 2;
            if (!parsed.hasMatchedOption("--warmup")) warmup = 1;
            if (paper.lowMemory() && !parsed.hasMatchedOption("--low-memory") && !memory.fastBackward) memory.lowMemory = true;
            dim = String.valueOf(paper.dims());
        }
        if (viewSeconds < 0) throw CoverException.usage("--views-seconds must be >= 0, got " + viewSeconds);
        if (steps < (paper != null ? 1 : 2)) throw CoverException.usage("--steps must be >= 2, got " + steps);
        Methods.get(method); // an unknown method is refused before anything runs
        org.cover4j.nn.BackboneSpec backbone = backboneOptions.spec(); // and so is a bad backbone
        if (dim.equals("3")) backbone.checkInput(3, new int[] {64, 64, 64}, "--dim 3");
        if (dim.equals("both") && !backbone.kind().supports3d()) dim = "2"; // a 2D network: its 2D case only
        PrintWriter out = spec.commandLine().getOut();
        Torch.load();
        int threads = common.threadsOrDefault();
        Torch.setThreads(threads);
        out.printf("cover4j benchmark: method %s on %s, %d threads, device %s, %s, oneDNN %s, %s%n", method, backbone, threads, common.device,
                precision.value().label(), Torch.mkldnnAvailable() ? "on" : "off", Provenance.version());
        out.printf("%-28s %9s %7s %7s %7s %7s %9s %11s %11s %7s%n", "case", "step_s", "data", "fwd", "bwd", "optim",
                "peak_MiB", "RSS_grow", "non-heap", "cpu_s");
        // The standard cases: 2D batch 2 × 128², 3D batch 1 × 64³ (or the method's smallest batch, if larger).
        int batch3d = Math.max(1, Methods.get(method).minBatch());
        if (paper != null) {
            runCase(out, paper.dims(), paper.size(), paper.batch(), steps, threads);
        } else {
            if (!dim.equals("3")) runCase(out, 2, 128, 2, steps, threads);
            if (!dim.equals("2")) runCase(out, 3, 64, batch3d, steps3d != null ? steps3d : steps, threads);
        }
        if (paper != null && !inProcess) {
            out.printf(Locale.ROOT, "%npaper configuration %s: %s%n", paper.name(), paper.description());
            out.flush();
            return 0;
        }
        if (inProcess || viewSeconds == 0) {
            out.flush();
            return 0;
        }
        out.printf("%nCOVER view pairs per second (generation only, CPU):%n");
        for (int d : dim.equals("both") ? new int[] {2, 3} : new int[] {Integer.parseInt(dim)}) {
            int size = d == 2 ? 128 : 64;
            double one = ViewThroughput.measure(d, size, viewSeconds, 1);
            double all = ViewThroughput.measure(d, size, viewSeconds, Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "  %dD %d: %.1f pairs/s with 1 thread, %.1f pairs/s with %d threads%n", d, size, one, all,
                    Runtime.getRuntime().availableProcessors());
        }
        out.flush();
        return 0;
    }

    /** glibc's fixed mmap threshold for 3D work: the same value as in the ./cover4j launcher, which explains it. */
    static final String MMAP_THRESHOLD_VARIABLE = "MALLOC_MMAP_THRESHOLD_";
    static final String LEAN_MMAP_THRESHOLD = "262144";

    /**
     * Measures one case in a fresh JVM (this command again with {@code --in-process}), so that its peak RSS is its
     * own: memory the allocator keeps from an earlier case would otherwise count towards the next one.
     */
    private void runCase(PrintWriter out, int d, int size, int batch, int measured, int threads) throws IOException {
        if (inProcess) {
            measure(out, d, size, batch, measured, threads);
            return;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "benchmark", "--in-process", "--method", method,
                "--dim", String.valueOf(d), "--steps", String.valueOf(measured), "--warmup", String.valueOf(warmup),
                "--threads", String.valueOf(threads), "--device", common.device, "--precision", precision.value().label()));
        cmd.addAll(MemoryOptions.args(memory.mode()));
        cmd.addAll(backboneOptions.args());
        if (profile) cmd.add("--profile");
        if (preset != null) cmd.addAll(List.of("--preset", preset));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        // The launcher's allocator setting for 3D work, which it cannot tell from `--dim both` (see ./cover4j):
        // given to the 3D case here unless a value is set already (by the launcher or the user).
        if (d == 3) builder.environment().putIfAbsent(MMAP_THRESHOLD_VARIABLE, LEAN_MMAP_THRESHOLD);
        Process child = builder.start();
        List<String> lines;
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            lines = reader.lines().toList();
        }
        int rc;
        try {
            rc = child.waitFor();
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CoverException("benchmark interrupted", CoverException.TRAINING_FAILED, e);
        }
        if (rc != 0) throw new CoverException("benchmark: the " + d + "D case failed (exit " + rc + ")", CoverException.TRAINING_FAILED, null);
        // The child's first two lines are its banner and the table header, which this process printed already.
        for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) out.println(line);
        out.flush();
    }

    private void measure(PrintWriter out, int d, int size, int batch, int measured, int threads) throws IOException {
        PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
        Path tmp = Files.createTempDirectory("cover4j-bench");
        int total = warmup + measured;
        PretrainSettings s = PretrainSettings.builder().method(method).demoImages(Math.max(8, batch)).dims(d).size(size).batch(batch).steps(total)
                .threads(threads).device(common.device).checkpointEvery(Integer.MAX_VALUE).maxBadSteps(total)
                .precision(precision.value().label()).build();
        PretrainConfig config = new PretrainConfig(s, Methods.get(method).defaults(), backboneOptions.spec());
        Device device = Devices.parse(s.device());
        PretrainImages images = Pretraining.images(s, quiet);
        PretrainMethod<?> m = Pretraining.method(config, device);
        m.memoryMode(memory.mode());
        long[] rss = new long[2];
        long[] nativeBytes = new long[2];
        long[] heap = new long[2];
        List<String> trace = new ArrayList<>();
        int every = Math.max(1, measured / 4);
        PretrainRun<?> run = PretrainRun.of(config, m, images, quiet, false);
        StepLoop<?> loop = run.loop();
        // What the process holds before its first step (runtime, libraries, model, data): the floor under the peak.
        long startRss = Memory.rssBytes();
        if (profile) Profiling.start(device);
        // The process's CPU seconds per measured step (every thread: compute, view making, GC).
        List<Double> cpu = new ArrayList<>();
        double[] cpuBefore = {Memory.cpuSeconds()};
        loop.afterEachStep(step -> {
            if (step == warmup) org.cover4j.torch.Profiler.reset();
            double now = Memory.cpuSeconds();
            if (step > warmup) cpu.add(now - cpuBefore[0]);
            cpuBefore[0] = now;
            if (step == warmup || step == total) {
                int i = step == warmup ? 0 : 1;
                rss[i] = Memory.rssBytes();
                heap[i] = Memory.javaHeapCommittedBytes();
            }
            if (step >= warmup && (step - warmup) % every == 0) {
                trace.add(String.format(Locale.ROOT, "%d:%.0f", step, Memory.rssBytes() / 1048576.0));
            }
        });
        try (Optimizer optimizer = s.newOptimizer(m.trainable())) {
            run.run(tmp, optimizer, 0, Provenance.of("benchmark", "", "benchmark"));
        } finally {
            try (var walk = Files.walk(tmp)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        List<StepLoop.StepTimes> t = loop.stepTimes().subList(warmup, total);
        double step = median(t, x -> x.data() + x.forward() + x.backward() + x.optimizer());
        out.printf(Locale.ROOT, "%-28s %9.3f %7.3f %7.3f %7.3f %7.3f %9.0f %+10.1fM %+10.1fM %7.3f%n",
                d + "D b" + batch + " " + size + (d == 2 ? "^2" : "^3") + " (" + measured + " st" + memoryLabel(", low-mem", ", fast-bwd")
                        + (precision.value() == Precision.BF16 ? ", bf16)" : ")"),
                step,
                median(t, StepLoop.StepTimes::data), median(t, StepLoop.StepTimes::forward),
                median(t, StepLoop.StepTimes::backward), median(t, StepLoop.StepTimes::optimizer),
                Memory.peakRssBytes() / 1048576.0, (rss[1] - rss[0]) / 1048576.0,
                ((rss[1] - rss[0]) - (heap[1] - heap[0])) / 1048576.0,
                median(cpu.stream().mapToDouble(Double::doubleValue).toArray()));
        out.printf(Locale.ROOT, "%-28s RSS MiB before step 1: %.0f; at step: %s; Java heap committed %.0f MiB%n", "",
                startRss / 1048576.0, String.join(" ", trace), Memory.javaHeapCommittedBytes() / 1048576.0);
        // cpu_s, the process's CPU time per measured step: with --threads 1, the work itself, which a loaded machine
        // inflates far less than the wall time (GNU OpenMP threads spin at barriers, so with more threads it includes waiting).
        out.printf(Locale.ROOT, "%-28s load average while it ran: %s%n", "", Memory.loadAverage());
        if (preset != null) {
            out.printf(Locale.ROOT, "%-28s projected %,d iterations (the paper's): %.1f days at the median step%n", "",
                    PaperPreset.PAPER_ITERATIONS, PaperPreset.PAPER_ITERATIONS * step / 86400);
        }
        if (profile) Profiling.finish(out, "benchmark " + d + "D, batch " + batch + ", " + size + (d == 2 ? "²" : "³") + ", " + threads
                + " threads" + memoryLabel(", low memory", ", fast backward"));
        out.flush();
    }

    static double median(List<StepLoop.StepTimes> t, ToDoubleFunction<StepLoop.StepTimes> f) {
        return median(t.stream().mapToDouble(f).toArray());
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The label of the memory mode in the table ({@code low} or {@code fast}), empty for the default. */
    private String memoryLabel(String low, String fast) {
        return switch (memory.mode()) {
            case LOW -> low;
            case FAST -> fast;
            case DEFAULT -> "";
        };
    }
}
