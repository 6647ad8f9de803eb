package org.cover4j.train;

import org.cover4j.torch.Profiler;
import org.cover4j.torch.StepScope;
import org.cover4j.util.CoverException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one training loop, for pre-training and fine-tuning alike: a batch per step, one native-memory scope per
 * step, non-finite losses or gradients skipped, reported and counted (training stops after {@code maxBadSteps} in a
 * row), gradient clipping, the learning-rate schedule, the optimizer, the objective's after-step hook, a progress line, a
 * metrics row per step and checkpoints through a {@link Checkpointer}.
 *
 * <p>Exact resume is the batches' and checkpointer's business: a {@link Batches} gives step t's batch from (seed, t)
 * alone, and a checkpoint holds the weights, the optimizer state and the step, so a run resumed at step s continues
 * with exactly the numbers an uninterrupted run would have used.
 */
public final class StepLoop<B> {
    /** The batch of each step; {@link #next} is called with consecutive steps. */
    public interface Batches<B> extends AutoCloseable {
        B next(long step);

        @Override
        default void close() {}
    }

    /** Saves what is due after a step and adds columns of its own (e.g. a validation score) to the metrics rows. */
    public interface Checkpointer {
        /** Extra metrics columns, written after {@code grad_norm}. */
        default List<String> columns() {
            return List.of();
        }

        /**
         * After step {@code step} (applied or skipped), before its metrics row: measures what is due (e.g. validates);
         * one value per {@link #columns()} ("" = none).
         */
        default Object[] measure(long step, boolean finalStep) {
            return new Object[0];
        }

        /**
         * After the step's metrics row is written: saves what is due. Last, so that a run killed at any point has rows
         * for every step up to its newest checkpoint (the rows after it are dropped on resume).
         */
        void save(long step, boolean finalStep);

        /**
         * Saves a resumable checkpoint of {@code step} because the run is being stopped by a signal ({@link StopSignal})
         * before its end; by default the same as a final step's {@link #save}.
         */
        default void saveBeforeStop(long step) {
            save(step, true);
        }

        /** Whether the run should end now (early stopping). */
        default boolean stopRequested() {
            return false;
        }

        /** The newest checkpoint, for messages; null when none was written. */
        default Path lastCheckpoint() {
            return null;
        }
    }

    /** How the loop runs: total steps, schedule, clipping (+∞ = none), the non-finite limit, progress label. */
    public record Options(int steps, LrSchedule schedule, double clipNorm, int maxBadSteps, String label, boolean showProgress) {}

    /** Per-step timings in seconds, for the benchmark. */
    public record StepTimes(double data, double forward, double backward, double optimizer) {}

    /**
     * What a finished run reports: the last step run, the last losses, how many steps were skipped, and whether a
     * {@link StopSignal} ended it before its last step (after saving a checkpoint of {@code lastStep} when it ran any).
     */
    public record Result(long lastStep, Map<String, Double> lastLosses, int skippedSteps, boolean interrupted) {}

    private final Objective<B> objective;
    private final Options options;
    private final PrintStream log;
    private final List<StepTimes> times = new ArrayList<>();
    private java.util.function.LongConsumer afterStep = step -> { };
    private StopSignal stopSignal = StopSignal.NONE;

    public StepLoop(Objective<B> objective, Options options, PrintStream log) {
        this.objective = objective;
        this.options = options;
        this.log = log;
    }

    public List<StepTimes> stepTimes() {
        return times;
    }

    /** Called after every step, outside its scope (the benchmark samples memory here). */
    public void afterEachStep(java.util.function.LongConsumer listener) {
        this.afterStep = listener;
    }

    /** Polls {@code signal} after every step: when it is requested, the checkpointer saves and the loop ends. */
    public void stopOn(StopSignal signal) {
        this.stopSignal = signal;
    }

    /** The metrics columns: step, losses, monitors, lr, grad_norm, the checkpointer's, seconds, skipped. */
    public List<String> columns(Checkpointer checkpointer) {
        List<String> c = new ArrayList<>();
        c.add("step");
        c.addAll(objective.lossNames());
        c.addAll(objective.monitorNames());
        c.add("lr");
        c.add("grad_norm");
        c.addAll(checkpointer.columns());
        c.add("seconds");
        c.add("skipped");
        return c;
    }

    /**
     * Runs steps {@code startStep + 1 .. options.steps()} ({@code startStep} = 0 for a fresh run; when resuming, the
     * checkpoint's step with {@code optimizer} and the objective's state already restored), appending to {@code metricsFile}.
     */
    public Result run(Batches<B> batches, Optimizer optimizer, long startStep, Path metricsFile, Checkpointer checkpointer) {
        Map<String, Double> last = new LinkedHashMap<>();
        int skipped = 0;
        int consecutiveBad = 0;
        boolean interrupted = false;
        long step = startStep;
        ProgressBar bar = new ProgressBar(log, options.label(), startStep + 1, options.steps(), options.showProgress() && ProgressBar.terminal());
        long t0 = System.nanoTime();
        List<String> columns = columns(checkpointer);
        try (batches; MetricsLog metrics = MetricsLog.open(metricsFile, startStep, columns.toArray(new String[0]))) {
            while (step < options.steps() && !checkpointer.stopRequested()) {
                if (stopSignal.requested()) { // before the first step (e.g. while the data were prepared): nothing new to save
                    interrupted = true;
                    break;
                }
                step++;
                double lr = options.schedule().at(step);
                long a = System.nanoTime();
                B batch;
                try (Profiler.Section p = Profiler.section("data: loader wait")) {
                    batch = batches.next(step);
                }
                long b = System.nanoTime();
                long c;
                long d;
                String problem;
                double gradNorm = Double.NaN;
                Map<String, Double> monitors;
                StepScope scope = StepScope.open();
                try {
                    Objective.Step s = objective.forward(batch);
                    last.clear();
                    try (Profiler.Section p = Profiler.section("loss values to Java")) {
                        for (Map.Entry<String, org.bytedeco.pytorch.Tensor> e : s.losses().entrySet()) last.put(e.getKey(), e.getValue().item_double());
                    }
                    monitors = s.monitors();
                    c = System.nanoTime();
                    problem = s.problem();
                    if (problem == null && !Double.isFinite(last.get(Objective.LOSS))) problem = "non-finite loss (" + format(last) + ")";
                    if (problem == null) {
                        try (Profiler.Section p = Profiler.section("zero grad")) {
                            GradClip.zeroGrad(objective.trainable());
                        }
                        objective.backward(s);
                        try (Profiler.Section p = Profiler.section("grad norm + clip")) {
                            gradNorm = GradClip.clip(objective.trainable(), options.clipNorm());
                        }
                        if (!Double.isFinite(gradNorm)) problem = "non-finite gradient norm";
                    }
                    d = System.nanoTime();
                    if (problem == null) {
                        try (Profiler.Section p = Profiler.section("optimizer step")) {
                            optimizer.step(lr);
                            objective.afterOptimizerStep(step, options.steps());
                        }
                    } else {
                        GradClip.zeroGrad(objective.trainable());
                    }
                } finally {
                    try (Profiler.Section p = Profiler.section("step scope close (frees the step's tensors)")) {
                        scope.close();
                    }
                }
                long e = System.nanoTime();
                Profiler.stepDone(e - a);
                times.add(new StepTimes((b - a) / 1e9, (c - b) / 1e9, (d - c) / 1e9, (e - d) / 1e9));
                if (problem != null) {
                    skipped++;
                    consecutiveBad++;
                    log.printf(Locale.ROOT, "%nstep %d: %s at lr %.3g; step not applied%n", step, problem, lr);
                    if (consecutiveBad >= options.maxBadSteps()) {
                        Path good = checkpointer.lastCheckpoint();
                        throw new CoverException("training stopped at step " + step + " after " + consecutiveBad
                                + " consecutive non-finite steps (lr " + String.format(Locale.ROOT, "%.3g", lr) + "); "
                                + (good != null ? "last good checkpoint: " + good : "no checkpoint was written")
                                + "; try a lower --lr or check the data for constant or corrupt images",
                                CoverException.TRAINING_FAILED, null);
                    }
                } else {
                    consecutiveBad = 0;
                }
                boolean finalStep = step == options.steps();
                Object[] extra = checkpointer.measure(step, finalStep);
                List<Object> row = new ArrayList<>(columns.size());
                row.add(step);
                for (String n : objective.lossNames()) row.add(last.getOrDefault(n, Double.NaN));
                for (String n : objective.monitorNames()) row.add(monitors.getOrDefault(n, Double.NaN));
                row.add(lr);
                row.add(gradNorm);
                row.addAll(List.of(extra));
                row.add((System.nanoTime() - t0) / 1e9);
                row.add(problem == null ? 0 : 1);
                metrics.row(row.toArray());
                bar.update(checkpointer.stopRequested() ? options.steps() : step, format(last));
                afterStep.accept(step);
                metrics.sync();
                if (!finalStep && stopSignal.requested()) {
                    checkpointer.saveBeforeStop(step);
                    interrupted = true;
                    break;
                }
                checkpointer.save(step, finalStep || checkpointer.stopRequested());
            }
        }
        if (interrupted) log.println();
        return new Result(step, last, skipped, interrupted);
    }

    /** The losses for a progress line, without the total. */
    static String format(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey().equals(Objective.LOSS) && values.size() > 1) continue;
            sb.append(sb.length() > 0 ? " " : "").append(e.getKey()).append(' ')
                    .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        return sb.toString();
    }
}
