package org.cover4j.downstream;

import org.cover4j.nn.BackboneSpec;
import org.cover4j.torch.Precision;
import org.cover4j.train.LrSchedule;
import org.cover4j.util.CoverException;

/**
 * Everything that defines a fine-tuning run, recorded in {@code model.json} and {@code train-state.json} so that
 * {@code --resume} continues exactly the same run. Paths are as given on the command line.
 */
public record FinetuneSettings(
        String task,
        String train,
        String val,
        String test,
        String preset,
        String data,
        String init,
        String mode,
        int dims,
        int[] patch,
        int batch,
        int steps,
        double lr,
        double weightDecay,
        long seed,
        int classes,
        double[] classWeights,
        double labelFraction,
        double foregroundOversample,
        int valEvery,
        int patience,
        String normalization,
        boolean binaryLabels,
        int[] channels,
        int threads,
        String device,
        Double clip,
        String schedule,
        int warmup,
        Integer maxBadSteps,
        Double backboneLrScale,
        int headWarmup,
        Integer probeLevel,
        String initScope,
        Double initShrink,
        BackboneSpec backbone,
        String precision) {

    public FinetuneSettings {
        if (batch < 1) throw CoverException.usage("--batch must be >= 1, got " + batch);
        if (steps < 1) throw CoverException.usage("--steps must be >= 1, got " + steps);
        if (!(lr > 0) || lr > LrSchedule.MAX) throw CoverException.usage("--lr must be a positive number up to " + LrSchedule.MAX + ", got " + lr);
        if (!(weightDecay >= 0) || weightDecay > LrSchedule.MAX) {
            throw CoverException.usage("--weight-decay must be a number from 0 to " + LrSchedule.MAX + ", got " + weightDecay);
        }
        if (dims != 0 && dims != 2 && dims != 3) throw CoverException.usage("--dim must be 2 or 3, got " + dims);
        if (classes < 0) throw CoverException.usage("--classes must be >= 2 (or left out), got " + classes);
        if (patch != null) {
            for (int p : patch) if (p < 1) throw CoverException.usage("--patch must be positive multiples of 16, got " + p);
        }
        if (!(labelFraction > 0 && labelFraction <= 1)) throw CoverException.usage("--label-fraction must be in (0, 1], got " + labelFraction);
        if (!(foregroundOversample >= 0 && foregroundOversample <= 1)) {
            throw CoverException.usage("--foreground-oversample must be in [0, 1], got " + foregroundOversample);
        }
        if (valEvery < 1) throw CoverException.usage("--val-every must be >= 1, got " + valEvery);
        if (patience < 0) throw CoverException.usage("--patience must be >= 0 (0 = no early stopping), got " + patience);
        if (threads < 1) throw CoverException.usage("--threads must be >= 1, got " + threads);
        // Runs saved before these settings existed trained without clipping, at a constant rate, stopping after 5 bad steps.
        if (schedule == null) schedule = "constant";
        if (maxBadSteps == null) maxBadSteps = 5;
        if (backboneLrScale == null) backboneLrScale = 1.0;
        if (initShrink == null) initShrink = 1.0;
        // ... and in float32.
        if (precision == null) precision = Precision.FP32.label();
        Precision.parse(precision, "--precision");
        if (!(backboneLrScale > 0) || backboneLrScale.isInfinite()) {
            throw CoverException.usage("--backbone-lr-scale must be a finite number > 0, got " + backboneLrScale);
        }
        if (probeLevel != null) {
            ModelSpec.checkLevel(probeLevel);
            if (Mode.parse(mode) != Mode.LINEAR) throw CoverException.usage("--probe-level needs --mode linear (it places a linear probe's head)");
        }
        if (InitScope.parse(initScope) == InitScope.ENCODER && init == null) {
            throw CoverException.usage("--init-scope encoder needs --init (the checkpoint whose encoder to load)");
        }
        if (!(initShrink > 0 && initShrink <= 1)) throw CoverException.usage("--init-shrink must be in (0, 1], got " + initShrink);
        if (initShrink != 1 && init == null) throw CoverException.usage("--init-shrink needs --init (the weights to shrink)");
        if (headWarmup < 0) throw CoverException.usage("--head-warmup must be >= 0, got " + headWarmup);
        if (clip != null && (!(clip > 0) || clip.isInfinite())) throw CoverException.usage("--clip must be a finite number > 0, got " + clip);
        if (maxBadSteps < 1) throw CoverException.usage("--max-bad-steps must be >= 1, got " + maxBadSteps);
        new LrSchedule(schedule, lr, steps, warmup);
        if (classWeights != null) {
            for (double w : classWeights) {
                if (!(w > 0) || Double.isInfinite(w)) throw CoverException.usage("--class-weights must all be > 0, got " + w);
            }
        }
    }

    public Task taskKind() {
        return Task.parse(task);
    }

    public Mode modeKind() {
        return Mode.parse(mode);
    }

    public InitScope initScopeKind() {
        return InitScope.parse(initScope);
    }

    /** The level the head reads: {@code --probe-level}, else the task's usual one. */
    public int headLevel() {
        return probeLevel != null ? probeLevel : taskKind().defaultHeadLevel();
    }

    /** The gradient-norm bound: {@code --clip}, or none (+∞: the norm is still measured and checked). */
    public double clipNorm() {
        return clip == null ? Double.POSITIVE_INFINITY : clip;
    }

    /** The precision convolutions and linear layers compute in ({@code --precision}). */
    public Precision computePrecision() {
        return Precision.parse(precision, "--precision");
    }

    public LrSchedule lrSchedule() {
        return new LrSchedule(schedule, lr, steps, warmup);
    }

    /** The same run with another number of steps (what {@code --resume} may change). */
    public FinetuneSettings withSteps(int newSteps) {
        return with(newSteps, device, seed, test);
    }

    /** The same run on another device. */
    public FinetuneSettings withDevice(String newDevice) {
        return with(steps, newDevice, seed, test);
    }

    /** The same run with another seed. */
    public FinetuneSettings withSeed(long newSeed) {
        return with(steps, device, newSeed, test);
    }

    /**
     * The same run without pre-trained weights, on the network and patch the pre-trained run used ({@code net}, {@code
     * runPatch}): the scratch arm of {@code --compare-scratch}, whose backbone starts from the seed's fresh initialisation.
     */
    public FinetuneSettings fromScratch(BackboneSpec net, int[] runPatch) {
        boolean unet = net.kind().isUnet();
        return new FinetuneSettings(task, train, val, test, preset, data, null, mode, dims, runPatch.clone(), batch, steps, lr, weightDecay,
                seed, classes, classWeights, labelFraction, foregroundOversample, valEvery, patience, normalization, binaryLabels,
                unet ? net.channels() : null, threads, device, clip, schedule, warmup, maxBadSteps, backboneLrScale, headWarmup, probeLevel,
                InitScope.ALL.code(), 1.0, unet ? null : net, precision);
    }

    /** The same run with {@code newTest} as its test set. */
    public FinetuneSettings withTest(String newTest) {
        return with(steps, device, seed, newTest);
    }

    /**
     * The same run with another seed and without {@code --test}: one of several restarts, of which only the one kept is
     * scored on the test set (a preset's test split is scored in each).
     */
    public FinetuneSettings restart(long newSeed) {
        return with(steps, device, newSeed, null);
    }

    private FinetuneSettings with(int newSteps, String newDevice, long newSeed, String newTest) {
        return new FinetuneSettings(task, train, val, newTest, preset, data, init, mode, dims, patch, batch, newSteps, lr, weightDecay,
                newSeed, classes, classWeights, labelFraction, foregroundOversample, valEvery, patience, normalization, binaryLabels,
                channels, threads, newDevice, clip, schedule, warmup, maxBadSteps, backboneLrScale, headWarmup, probeLevel, initScope, initShrink,
                backbone, precision);
    }
}
