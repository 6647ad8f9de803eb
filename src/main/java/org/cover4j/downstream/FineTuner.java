package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.metrics.ClassificationResult;
import org.cover4j.nn.Params;
import org.cover4j.torch.Tensors;
import org.cover4j.train.Adam;
import org.cover4j.train.Objective;
import org.cover4j.train.StepLoop;
import org.cover4j.train.StopSignal;
import org.cover4j.util.Rng;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tuning on the shared {@link StepLoop}: Adam on all parameters ({@code finetune}) or on the head alone with the
 * backbone run without autograd ({@code linear}); validation with the real metrics every {@code valEvery} steps,
 * keeping the best weights; optional early stopping; and a resumable state at every validation.
 *
 * <p>Reproducibility: the examples of step t depend only on (seed, t), the initial weights only on the seed
 * and {@code --init}, so a resumed run continues with the numbers an uninterrupted run would have used.
 */
public final class FineTuner {
    private static final long STEP_STREAM = 11;

    /** Where a run stands; saved in {@code train-state.json}. */
    public record Progress(long step, double bestMetric, long bestStep, int sinceBest, boolean stopped) {
        public static Progress start() {
            return new Progress(0, Double.NEGATIVE_INFINITY, 0, 0, false);
        }
    }

    /** One step's examples: inputs {@code (B, C, *patch)}, one-hot targets, and per-example loss weights (classification). */
    record Batch(long step, float[] images, float[] targets, float[] weights) {}

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

    /** Where a run ended, and whether a stop signal ended it early (after saving the resumable state). */
    public record Outcome(Progress progress, boolean interrupted) {}

    /**
     * Trains from {@code from} (fresh: {@link Progress#start()}) to {@code settings.steps()}; {@code optimizer} holds
     * saved Adam moments and step when resuming, else null. {@code stop} ends the run early, after a resumable state.
     */
    public Outcome run(Progress from, StateDicts.StateDict optimizer, long optimizerStep, boolean showProgress, StopSignal stop) {
        Evaluation.createDirectories(out);
        Task task = spec.task();
        Objective<Batch> objective = new TaskObjective();
        StepLoop<Batch> loop = new StepLoop<>(objective, new StepLoop.Options(settings.steps(), settings.lrSchedule(), settings.clipNorm(),
                settings.maxBadSteps(), "finetune", showProgress), log);
        loop.stopOn(stop);
        try (Adam adam = new Adam(objective.trainable(), settings.weightDecay())) {
            if (optimizer != null) adam.load(optimizer.values(), optimizer.shapes(), optimizerStep, optimizer.file().toString());
            if (!linear && settings.backboneLrScale() != 1) adam.scaleLr(net.backboneParams().trainableNames(), settings.backboneLrScale());
            Validation validation = new Validation(from, adam, new Predictor(net, device, settings.batch()), "val_" + task.metric());
            PatchSampler sampler = task == Task.SEG ? new PatchSampler(train, spec.patch(), settings.foregroundOversample()) : null;
            StepLoop.Result r = loop.run(step -> batch(step, sampler, new Rng(settings.seed()).derive(STEP_STREAM, step)), adam, from.step(),
                    out.resolve("metrics.csv"), validation);
            return new Outcome(validation.progress, r.interrupted());
        }
    }

    /** The batch of one step, drawn from the step's own generator. */
    private Batch batch(long step, PatchSampler sampler, Rng rng) {
        int b = settings.batch();
        int k = spec.numClasses();
        if (sampler != null) {
            PatchSampler.Batch batch = sampler.sample(b, rng);
            return new Batch(step, batch.images(), oneHot(batch.labels(), k, b, sampler.patchVoxels()), null);
        }
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
        return new Batch(step, xs, oneHot(ys, k, b, 1), w);
    }

    /** The task's losses on the network: soft Dice + cross-entropy (segmentation) or weighted cross-entropy. */
    private final class TaskObjective implements Objective<Batch> {
        private final Params state = Params.union(net.backboneParams(), net.headParams());
        private final List<String> losses = spec.task() == Task.SEG ? List.of("loss_ce", "loss_dice", LOSS) : List.of("loss_ce", LOSS);

        @Override
        public String name() {
            return "finetune";
        }

        @Override
        public List<String> lossNames() {
            return losses;
        }

        @Override
        public Params state() {
            return state;
        }

        @Override
        public Params trainable() {
            return linear ? net.headParams() : state;
        }

        @Override
        public Step forward(Batch batch) {
            int b = settings.batch();
            // Linear probing, and the head-only warm-up of linear-probe-then-fine-tune: the backbone runs without autograd,
            // so its parameters get no gradient and Adam leaves them (and their moments) untouched.
            boolean frozen = linear || batch.step() <= settings.headWarmup();
            Tensor x = Tensors.of(batch.images(), device, shape(b, spec.inChannels()));
            LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
            if (batch.weights() == null) {
                Tensor y = Tensors.of(batch.targets(), device, shape(b, spec.numClasses()));
                Losses.Seg seg = Losses.diceCrossEntropy(net.forward(x, frozen), y);
                l.put("loss_ce", seg.crossEntropy());
                l.put("loss_dice", seg.diceLoss());
                l.put(LOSS, seg.total());
            } else {
                Tensor y = Tensors.of(batch.targets(), device, b, spec.numClasses());
                Tensor ce = Losses.crossEntropy(net.forward(x, frozen), y, Tensors.of(batch.weights(), device, b));
                l.put("loss_ce", ce);
                l.put(LOSS, ce);
            }
            return Step.of(l);
        }
    }

    /** Validates every {@code --val-every} steps and at the end, saves the best weights and the resumable state. */
    private final class Validation implements StepLoop.Checkpointer {
        private final Adam adam;
        private final Predictor predictor;
        private final String column;
        private Progress progress;

        Validation(Progress from, Adam adam, Predictor predictor, String column) {
            this.progress = from;
            this.adam = adam;
            this.predictor = predictor;
            this.column = column;
        }

        private boolean due(long step, boolean finalStep) {
            return step % settings.valEvery() == 0 || finalStep;
        }

        @Override
        public List<String> columns() {
            return List.of(column);
        }

        @Override
        public Object[] measure(long step, boolean finalStep) {
            if (!due(step, finalStep)) return new Object[] {""};
            double m = validate(predictor);
            Progress p = progress;
            boolean improved = m > p.bestMetric();
            int since = improved ? 0 : p.sinceBest() + 1;
            boolean stop = settings.patience() > 0 && since >= settings.patience();
            progress = new Progress(step, improved ? m : p.bestMetric(), improved ? step : p.bestStep(), since, stop);
            if (improved) saveBest(progress);
            if (stop) {
                log.printf(Locale.ROOT, "%nearly stop at step %d: %s has not improved for %d validations (best %.4f at step %d)%n",
                        step, column, since, progress.bestMetric(), progress.bestStep());
            }
            return new Object[] {m};
        }

        @Override
        public void save(long step, boolean finalStep) {
            if (due(step, finalStep) || progress.stopped()) saveLast(progress, adam);
        }

        /**
         * A signal stops the run between validations: the state of this step is saved without validating (a validation
         * can take longer than the grace a SIGTERM leaves); the best-so-far and patience counters carry over unchanged,
         * so the resumed run validates at the same steps and ends exactly as an uninterrupted one.
         */
        @Override
        public void saveBeforeStop(long step) {
            Progress p = progress;
            progress = new Progress(step, p.bestMetric(), p.bestStep(), p.sinceBest(), p.stopped());
            saveLast(progress, adam);
        }

        @Override
        public boolean stopRequested() {
            return progress.stopped();
        }

        @Override
        public Path lastCheckpoint() {
            return progress.step() > 0 ? out.resolve(ModelFiles.STATE_JSON) : null;
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

    private void saveLast(Progress p, Adam adam) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", p.step());
        state.put("optimizer_step", adam.stepCount());
        state.put("best_metric", p.bestMetric());
        state.put("best_step", p.bestStep());
        state.put("since_best", p.sinceBest());
        state.put("stopped", p.stopped());
        state.put("settings", ModelFiles.toTree(settings));
        state.put("model_doc", modelDoc);
        ModelFiles.writeLast(out, net, adam.stateArrays(), adam.stateShapes(), state);
    }
}
