package org.cover4j.train;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.ViewPair;
import org.cover4j.data.PrefetchLoader;
import org.cover4j.pretrain.PretrainImages;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.torch.StepScope;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pre-training loop, the same for every method: views from a prefetching loader, one native-memory
 * scope per step, non-finite losses skipped and reported, gradient clipping, Adam, a metrics row per step
 * and atomic checkpoints.
 *
 * <p>Reproducibility: the views of step t depend only on (seed, t) — the loader derives each item's
 * generator from its position — and the model's initial weights only on the seed, so a run resumed from a
 * checkpoint continues with exactly the numbers an uninterrupted run would have used.
 */
public final class Trainer {
    /** Makes one view pair from a prepared image and the pair's own generator. */
    @FunctionalInterface
    public interface ViewMaker {
        ViewPair make(float[] image, Rng rng);
    }

    /** Per-step timings in seconds, for the benchmark. */
    public record StepTimes(double data, double forward, double backward, double optimizer) {}

    /** What a finished run reports. */
    public record Result(long lastStep, Map<String, Double> lastLosses, Path checkpoint, int skippedSteps) {}

    private final PretrainSettings settings;
    private final PretrainMethod method;
    private final PretrainImages images;
    private final ViewMaker views;
    private final Device device;
    private final PrintStream log;
    private final List<StepTimes> times = new ArrayList<>();
    private java.util.function.LongConsumer afterStep = step -> { };

    public Trainer(PretrainSettings settings, PretrainMethod method, PretrainImages images, ViewMaker views,
                   Device device, PrintStream log) {
        this.settings = settings;
        this.method = method;
        this.images = images;
        this.views = views;
        this.device = device;
        this.log = log;
    }

    public List<StepTimes> stepTimes() {
        return times;
    }

    /** Called after every step, outside its scope (the benchmark samples memory here). */
    public void afterEachStep(java.util.function.LongConsumer listener) {
        this.afterStep = listener;
    }

    /**
     * Trains from {@code startStep} (0 = fresh; the checkpoint's step when resuming, with {@code adam} already
     * restored) to {@code settings.steps()}, writing under {@code out}.
     */
    public Result run(Path out, Adam adam, long startStep, Provenance provenance, boolean showProgress) {
        try {
            java.nio.file.Files.createDirectories(out.resolve("checkpoints"));
        } catch (java.io.IOException e) {
            throw CoverException.file(out, "cannot create the output folder (" + e.getMessage() + ")");
        }
        LrSchedule schedule = settings.lrSchedule();
        int batch = settings.batch();
        Checkpoints checkpoints = new Checkpoints(out.resolve("checkpoints"));
        Path lastCheckpoint = startStep > 0 ? checkpoints.lastWeights() : null;
        Map<String, Double> last = new LinkedHashMap<>();
        int skipped = 0;
        int consecutiveBad = 0;
        long startPosition = startStep * batch;
        ProgressBar bar = new ProgressBar(log, settings.method(), startStep + 1, settings.steps(), showProgress && ProgressBar.terminal());
        long t0 = System.nanoTime();
        try (PrefetchLoader<ViewPair> loader = new PrefetchLoader<>(images.size(), settings.seed(), settings.workers(),
                Math.max(2, 2 * batch), true, (index, rng) -> views.make(images.get(index), rng), startPosition);
             MetricsLog metrics = MetricsLog.open(out.resolve("metrics.csv"), startStep,
                     "step", "loss_vec", "loss_con", "loss", "lr", "grad_norm", "seconds", "skipped")) {
            for (long step = startStep + 1; step <= settings.steps(); step++) {
                double lr = schedule.at(step);
                long a = System.nanoTime();
                List<ViewPair> pairs = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) pairs.add(loader.next());
                long b;
                long c;
                long d;
                String problem = null;
                double gradNorm = Double.NaN;
                try (StepScope scope = StepScope.open()) {
                    ViewBatch vb = ViewBatch.of(pairs, device);
                    b = System.nanoTime();
                    LinkedHashMap<String, Tensor> losses = method.losses(vb);
                    last.clear();
                    for (Map.Entry<String, Tensor> e : losses.entrySet()) last.put(e.getKey(), e.getValue().item_double());
                    c = System.nanoTime();
                    if (vb.maskSum() == 0) {
                        problem = "no pixel of the moving view corresponds to the fixed view (empty mask)";
                    } else if (!Double.isFinite(last.get("loss"))) {
                        problem = "non-finite loss (" + format(last) + ")";
                    } else {
                        GradClip.zeroGrad(method.params());
                        method.backward(losses);
                        gradNorm = GradClip.clip(method.params(), settings.clipNorm());
                        if (!Double.isFinite(gradNorm)) problem = "non-finite gradient norm";
                    }
                    d = System.nanoTime();
                    if (problem == null) adam.step(lr);
                    else GradClip.zeroGrad(method.params());
                }
                long e = System.nanoTime();
                times.add(new StepTimes((b - a) / 1e9, (c - b) / 1e9, (d - c) / 1e9, (e - d) / 1e9));
                if (problem != null) {
                    skipped++;
                    consecutiveBad++;
                    log.printf(Locale.ROOT, "%nstep %d: %s at lr %.3g; step not applied%n", step, problem, lr);
                    if (consecutiveBad >= settings.maxBadSteps()) {
                        throw new CoverException("training stopped at step " + step + " after " + consecutiveBad
                                + " consecutive non-finite steps (lr " + String.format(Locale.ROOT, "%.3g", lr) + "); "
                                + (lastCheckpoint != null ? "last good checkpoint: " + lastCheckpoint : "no checkpoint was written")
                                + "; try a lower --lr or check the data for constant or corrupt images",
                                CoverException.TRAINING_FAILED, null);
                    }
                } else {
                    consecutiveBad = 0;
                }
                metrics.row(step, last.getOrDefault("loss_vec", Double.NaN), last.getOrDefault("loss_con", Double.NaN),
                        last.getOrDefault("loss", Double.NaN), lr, gradNorm, (System.nanoTime() - t0) / 1e9, problem == null ? 0 : 1);
                bar.update(step, format(last));
                afterStep.accept(step);
                if (step % settings.checkpointEvery() == 0 || step == settings.steps()) {
                    lastCheckpoint = checkpoints.save(step, method, adam, settings, provenance, startPosition + (step - startStep) * batch);
                }
            }
        }
        return new Result(settings.steps(), last, lastCheckpoint, skipped);
    }

    static String format(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey().equals("loss")) continue;
            sb.append(sb.length() > 0 ? " " : "").append(e.getKey()).append(' ')
                    .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
        }
        return sb.toString();
    }
}
