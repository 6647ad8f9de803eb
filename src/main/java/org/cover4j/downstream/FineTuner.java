package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.metrics.ClassificationResult;
import org.cover4j.train.Adam;
import org.cover4j.train.GradClip;
import org.cover4j.train.MetricsLog;
import org.cover4j.train.ProgressBar;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fine-tuning loop: Adam on all parameters ({@code finetune}) or on the head alone with the backbone run
 * without autograd ({@code linear}); one step scope per step; validation with the real metrics every
 * {@code valEvery} steps, keeping the best weights; optional early stopping; {@code metrics.csv}; and a
 * resumable state at every validation.
 *
 * <p>Reproducibility: the examples of step t depend only on (seed, t), the initial weights only on the seed
 * and {@code --init}, so a resumed run continues with the numbers an uninterrupted run would have used.
 */
public final class FineTuner {
    private static final long STEP_STREAM = 11;
    private static final int MAX_BAD_STEPS = 5;

    /** Where a run stands; saved in {@code train-state.json}. */
    public record Progress(long step, double bestMetric, long bestStep, int sinceBest, boolean stopped) {
        public static Progress start() {
            return new Progress(0, Double.NEGATIVE_INFINITY, 0, 0, false);
        }
    }

    private final FinetuneSettings settings;
    private final DownstreamNet net;
    private final List<Case> train;
    private final List<Case> val;
    private final Device device;
    private final PrintStream log;
    private final Path out;
    private final Map<String, Object> modelDoc;
    private final boolean linear;
    private final ModelSpec spec;

    /**
     * @param modelDoc what {@code model.json} records besides the spec (settings, init, provenance); the best step
     *                 and metric are added here
     */
    public FineTuner(FinetuneSettings settings, DownstreamNet net, List<Case> train, List<Case> val, Device device, PrintStream log,
                     Path out, Map<String, Object> modelDoc) {
        this.settings = settings;
        this.net = net;
        this.train = train;
        this.val = val;
        this.device = device;
        this.log = log;
        this.out = out;
        this.modelDoc = modelDoc;
        this.linear = settings.modeKind() == Mode.LINEAR;
        this.spec = net.spec();
    }

    /**
     * Trains from {@code from} (fresh: {@link Progress#start()}) to {@code settings.steps()}; {@code optimizer} holds
     * saved Adam moments and step when resuming, else null.
     */
    public Progress run(Progress from, StateDicts.StateDict optimizer, long optimizerStep, boolean showProgress) {
        Evaluation.createDirectories(out);
        Adam head = new Adam(net.headParams(), settings.weightDecay());
        Adam body = linear ? null : new Adam(net.backboneParams(), settings.weightDecay());
        try {
            if (optimizer != null) {
                head.load(optimizer.values(), optimizerStep);
                if (body != null) body.load(optimizer.values(), optimizerStep);
            }
            return loop(from, head, body, showProgress);
        } finally {
            head.close();
            if (body != null) body.close();
        }
    }

    private Progress loop(Progress p, Adam head, Adam body, boolean showProgress) {
        PatchSampler sampler = spec.task() == Task.SEG ? new PatchSampler(train, spec.patch(), settings.foregroundOversample()) : null;
        Predictor predictor = new Predictor(net, device, settings.batch());
        String valName = "val_" + spec.task().metric();
        ProgressBar bar = new ProgressBar(log, "finetune", p.step() + 1, settings.steps(), showProgress && ProgressBar.terminal());
        long t0 = System.nanoTime();
        int bad = 0;
        String lastVal = Double.isInfinite(p.bestMetric()) ? "" : String.format(Locale.ROOT, " best %s %.4f", valName, p.bestMetric());
        try (MetricsLog metrics = MetricsLog.open(out.resolve("metrics.csv"), p.step(),
                "step", "loss", "loss_ce", "loss_dice", "lr", valName, "seconds")) {
            for (long step = p.step() + 1; step <= settings.steps() && !p.stopped(); step++) {
                Rng rng = new Rng(settings.seed()).derive(STEP_STREAM, step);
                double[] losses = trainStep(sampler, rng, head, body);
                if (!Double.isFinite(losses[0])) {
                    bad++;
                    log.printf(Locale.ROOT, "%nstep %d: non-finite loss at lr %.3g; step not applied%n", step, settings.lr());
                    if (bad >= MAX_BAD_STEPS) {
                        throw new CoverException("fine-tuning stopped at step " + step + " after " + bad + " consecutive non-finite losses (lr "
                                + String.format(Locale.ROOT, "%.3g", settings.lr()) + "); try a lower --lr or check the images",
                                CoverException.TRAINING_FAILED, null);
                    }
                } else {
                    bad = 0;
                }
                Double valMetric = null;
                if (step % settings.valEvery() == 0 || step == settings.steps()) {
                    double m = validate(predictor);
                    valMetric = m;
                    boolean improved = m > p.bestMetric();
                    int since = improved ? 0 : p.sinceBest() + 1;
                    boolean stop = settings.patience() > 0 && since >= settings.patience();
                    p = new Progress(step, improved ? m : p.bestMetric(), improved ? step : p.bestStep(), since, stop);
                    if (improved) saveBest(p);
                    saveLast(p, head, body);
                    lastVal = String.format(Locale.ROOT, " %s %.4f (best %.4f at %d)", valName, m, p.bestMetric(), p.bestStep());
                    if (stop) {
                        log.printf(Locale.ROOT, "%nearly stop at step %d: %s has not improved for %d validations (best %.4f at step %d)%n",
                                step, valName, since, p.bestMetric(), p.bestStep());
                    }
                }
                metrics.row(step, losses[0], losses[1], losses[2], settings.lr(), valMetric == null ? "" : valMetric,
                        (System.nanoTime() - t0) / 1e9);
                bar.update(p.stopped() ? settings.steps() : step, String.format(Locale.ROOT, "loss %.4f", losses[0]) + lastVal);
            }
        }
        return p;
    }

    /** One optimisation step; returns {total, cross-entropy, dice} losses (NaN dice for classification). */
    private double[] trainStep(PatchSampler sampler, Rng rng, Adam head, Adam body) {
        int b = settings.batch();
        int k = spec.numClasses();
        try (StepScope s = StepScope.open()) {
            Tensor loss;
            double[] values;
            if (sampler != null) {
                PatchSampler.Batch batch = sampler.sample(b, rng);
                int pv = sampler.patchVoxels();
                Tensor x = Tensors.of(batch.images(), device, shape(b, spec.inChannels()));
                Tensor y = Tensors.of(oneHot(batch.labels(), k, b, pv), device, shape(b, k));
                Losses.Seg l = Losses.diceCrossEntropy(net.forward(x, linear), y);
                loss = l.total();
                values = new double[] {loss.item_double(), l.crossEntropy().item_double(), l.diceLoss().item_double()};
            } else {
                int len = train.get(0).image().length;
                float[] xs = new float[b * len];
                int[] ys = new int[b];
                float[] w = new float[b];
                for (int i = 0; i < b; i++) {
                    Case c = train.get(rng.randint(0, train.size()));
                    System.arraycopy(c.image(), 0, xs, i * len, len);
                    ys[i] = c.classIndex();
                    w[i] = settings.classWeights() == null ? 1f : (float) settings.classWeights()[c.classIndex()];
                }
                Tensor x = Tensors.of(xs, device, shape(b, spec.inChannels()));
                Tensor y = Tensors.of(oneHot(ys, k, b, 1), device, b, k);
                loss = Losses.crossEntropy(net.forward(x, linear), y, Tensors.of(w, device, b));
                values = new double[] {loss.item_double(), loss.item_double(), Double.NaN};
            }
            if (!Double.isFinite(values[0])) return values;
            GradClip.zeroGrad(net.headParams());
            if (body != null) GradClip.zeroGrad(net.backboneParams());
            loss.backward();
            head.step(settings.lr());
            if (body != null) body.step(settings.lr());
            return values;
        }
    }

    private long[] shape(int b, int c) {
        int[] p = spec.patch();
        long[] s = new long[2 + p.length];
        s[0] = b;
        s[1] = c;
        for (int a = 0; a < p.length; a++) s[2 + a] = p[a];
        return s;
    }

    /** One-hot {@code (B, K, voxels)} of labels {@code (B, voxels)}. */
    static float[] oneHot(int[] labels, int k, int b, int voxels) {
        float[] out = new float[b * k * voxels];
        for (int i = 0; i < b; i++) {
            for (int v = 0; v < voxels; v++) out[(i * k + labels[i * voxels + v]) * voxels + v] = 1f;
        }
        return out;
    }

    /** The validation metric: mean Dice (segmentation) or accuracy (classification). */
    private double validate(Predictor predictor) {
        if (spec.task() == Task.SEG) return Evaluation.meanDice(Evaluation.segmentation(predictor, val, spec.numClasses(), null));
        ClassificationResult r = Evaluation.classification(val, predictor.classProbabilities(val), spec.numClasses());
        return r.accuracy();
    }

    private void saveBest(Progress p) {
        Map<String, Object> doc = new LinkedHashMap<>(modelDoc);
        doc.put("best_step", p.bestStep());
        doc.put("best_" + "val_" + spec.task().metric(), p.bestMetric());
        ModelFiles.writeBest(out, net, doc);
    }

    private void saveLast(Progress p, Adam head, Adam body) {
        LinkedHashMap<String, float[]> optim = head.stateArrays();
        Map<String, long[]> shapes = new LinkedHashMap<>(head.stateShapes());
        if (body != null) {
            optim.putAll(body.stateArrays());
            shapes.putAll(body.stateShapes());
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", p.step());
        state.put("optimizer_step", head.stepCount());
        state.put("best_metric", p.bestMetric());
        state.put("best_step", p.bestStep());
        state.put("since_best", p.sinceBest());
        state.put("stopped", p.stopped());
        state.put("settings", ModelFiles.toTree(settings));
        state.put("model_doc", modelDoc);
        ModelFiles.writeLast(out, net, optim, shapes, state);
    }
}
