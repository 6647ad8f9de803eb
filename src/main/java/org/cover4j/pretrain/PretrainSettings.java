package org.cover4j.pretrain;

import org.cover4j.torch.Precision;
import org.cover4j.train.LrSchedule;
import org.cover4j.util.CoverException;

/**
 * What every pre-training run has, whatever its method: data, image size, batch, budget, optimizer, schedule,
 * clipping, seed and resources. With the method's own settings ({@link MethodSettings}) and the backbone's
 * ({@link org.cover4j.nn.BackboneSpec}) it makes a {@link PretrainConfig}, recorded in every checkpoint so that
 * {@code --resume} continues exactly the same run. {@code data} is the image folder, or null for the embedded
 * phantoms; {@code preset} names a data set preset whose layout and preprocessing apply to {@code data} (or null).
 * Built with {@link #builder()}: every field has the command line's default.
 */
public record PretrainSettings(
        String method,
        String data,
        String preset,
        int demoImages,
        int dims,
        int size,
        int batch,
        int steps,
        double lr,
        String lrScaling,
        String schedule,
        int warmup,
        double weightDecay,
        double clipNorm,
        long seed,
        int threads,
        int workers,
        String device,
        int checkpointEvery,
        int maxBadSteps,
        String optimizer,
        Double momentum,
        boolean nesterov,
        String resize,
        String precision) {

    public PretrainSettings {
        if (method == null) method = "cover";
        // Checkpoints written before the optimizer was a setting trained with Adam.
        if (optimizer == null) optimizer = "adam";
        if (momentum == null) momentum = 0.9;
        // Checkpoints written before --resize existed resized every image to the square loader size.
        if (resize == null) resize = SQUARE;
        if (!resize.equals(SQUARE) && !resize.equals(NATIVE)) throw CoverException.usage("--resize must be square or none, got " + resize);
        if (resize.equals(NATIVE) && data == null) {
            throw CoverException.usage("--resize none applies to --data images (the built-in phantoms are drawn at the loader size)");
        }
        // Checkpoints written before the precision was a setting computed in float32.
        if (precision == null) precision = Precision.FP32.label();
        Precision.parse(precision, "--precision");
        if (!optimizer.equals("adam") && !optimizer.equals("sgd")) throw CoverException.usage("--optimizer must be adam or sgd, got " + optimizer);
        if (!(momentum >= 0 && momentum < 1)) throw CoverException.usage("--momentum must be in [0, 1), got " + momentum);
        if (nesterov && (!optimizer.equals("sgd") || momentum == 0)) {
            throw CoverException.usage("--nesterov is for --optimizer sgd with a --momentum above 0");
        }
        if (dims != 2 && dims != 3) throw CoverException.usage("--dim must be 2 or 3, got " + dims);
        if (size < 16 || size % 16 != 0) throw CoverException.usage("--size " + size + " must be a positive multiple of 16 (every backbone halves it at least 4 times); nearest valid sizes "
                + org.cover4j.nn.Backbones.nearestMultiples(size, 16));
        if (batch < 1) throw CoverException.usage("--batch must be >= 1, got " + batch);
        if (steps < 1) throw CoverException.usage("--steps must be >= 1, got " + steps);
        if (!lrScaling.equals("none") && !lrScaling.equals("batch256")) {
            throw CoverException.usage("--lr-scaling must be none or batch256, got " + lrScaling);
        }
        if (threads < 1) throw CoverException.usage("--threads must be >= 1, got " + threads);
        if (workers < 0) throw CoverException.usage("--workers must be >= 0, got " + workers);
        if (demoImages < 1) throw CoverException.usage("--demo-images must be >= 1, got " + demoImages);
        if (checkpointEvery < 1) throw CoverException.usage("--checkpoint-every must be >= 1, got " + checkpointEvery);
        if (!(weightDecay >= 0) || weightDecay > LrSchedule.MAX) {
            throw CoverException.usage("--weight-decay must be a number from 0 to " + LrSchedule.MAX + ", got " + weightDecay);
        }
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) throw CoverException.usage("--clip must be a finite number > 0, got " + clipNorm);
        if (maxBadSteps < 1) throw CoverException.usage("--max-bad-steps must be >= 1, got " + maxBadSteps);
        new LrSchedule(schedule, lr, steps, warmup);
    }

    /** {@code --resize square}: every image resized to the loader size on every axis (the reference). */
    public static final String SQUARE = "square";
    /** {@code --resize none}: images keep their pixel spacing, centre-cropped or zero-padded to the loader size. */
    public static final String NATIVE = "none";

    /** Whether images keep their native pixel spacing ({@code --resize none}). */
    public boolean nativeScale() {
        return resize.equals(NATIVE);
    }

    /**
     * Steps of a run that does not say. 2,000 rather than the 1,000 before 2026-12-08: at every other default, fine-tuning
     * from the 2,000-step checkpoint scored higher than from the 1,000-step one on both real tasks of the README (INIA19
     * +0.015 Dice, p = 0.007; Colin27 +0.009, not significant; 10 paired seeds each), and 2,000 steps take about 36
     * minutes on 2 cores at the default size and batch, inside the hour a CPU user can give.
     */
    public static final int DEFAULT_STEPS = 2000;

    public static Builder builder() {
        return new Builder();
    }

    /** Side of the images views are cut from: the reference loads at 1.5× the crop size (SPEC §6.1). */
    public int loaderSize() {
        return (int) (1.5 * size);
    }

    /** The learning rate actually used: {@code --lr}, times batch/256 with {@code --lr-scaling batch256} (the reference). */
    public double effectiveLr() {
        return lrScaling.equals("batch256") ? lr * batch / 256.0 : lr;
    }

    /** The precision convolutions and linear layers compute in ({@code --precision}). */
    public Precision computePrecision() {
        return Precision.parse(precision, "--precision");
    }

    public LrSchedule lrSchedule() {
        return new LrSchedule(schedule, effectiveLr(), steps, warmup);
    }

    /** A new optimizer of these settings for {@code params}. */
    public org.cover4j.train.Optimizer newOptimizer(org.cover4j.nn.Params params) {
        return org.cover4j.train.Optimizer.create(optimizer, params, weightDecay, momentum, nesterov);
    }

    /** A builder holding these settings, to change a few (what {@code --resume} may change: steps, workers, device). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.method = method;
        b.data = data;
        b.preset = preset;
        b.demoImages = demoImages;
        b.dims = dims;
        b.size = size;
        b.batch = batch;
        b.steps = steps;
        b.lr = lr;
        b.lrScaling = lrScaling;
        b.schedule = schedule;
        b.warmup = warmup;
        b.weightDecay = weightDecay;
        b.clipNorm = clipNorm;
        b.seed = seed;
        b.threads = threads;
        b.workers = workers;
        b.device = device;
        b.checkpointEvery = checkpointEvery;
        b.maxBadSteps = maxBadSteps;
        b.optimizer = optimizer;
        b.momentum = momentum;
        b.nesterov = nesterov;
        b.resize = resize;
        b.precision = precision;
        return b;
    }

    /** The command line's defaults; {@link #size} defaults to 128 in 2D and 64 in 3D. */
    public static final class Builder {
        private String method = "cover";
        private String data;
        private String preset;
        private int demoImages = 64;
        private int dims = 2;
        private Integer size;
        private int batch = 4;
        private int steps = DEFAULT_STEPS;
        private double lr = 1e-4;
        private String lrScaling = "none";
        private String schedule = "constant";
        private int warmup;
        private double weightDecay = 1e-4;
        private double clipNorm = 1.0;
        private long seed;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int workers = 1;
        private String device = "cpu";
        private int checkpointEvery = 100;
        private int maxBadSteps = 5;
        private String optimizer = "adam";
        private double momentum = 0.9;
        private boolean nesterov;
        private String resize = SQUARE;
        private String precision = Precision.FP32.label();

        public Builder method(String v) { method = v; return this; }
        public Builder data(String v) { data = v; return this; }
        public Builder preset(String v) { preset = v; return this; }
        public Builder demoImages(int v) { demoImages = v; return this; }
        public Builder dims(int v) { dims = v; return this; }
        public Builder size(Integer v) { size = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder steps(int v) { steps = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder lrScaling(String v) { lrScaling = v; return this; }
        public Builder schedule(String v) { schedule = v; return this; }
        public Builder warmup(int v) { warmup = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder clipNorm(double v) { clipNorm = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder maxBadSteps(int v) { maxBadSteps = v; return this; }
        public Builder optimizer(String v) { optimizer = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder nesterov(boolean v) { nesterov = v; return this; }
        public Builder resize(String v) { resize = v; return this; }
        public Builder precision(String v) { precision = v; return this; }

        public PretrainSettings build() {
            int sz = size != null ? size : dims == 3 ? 64 : 128;
            return new PretrainSettings(method, data, preset, demoImages, dims, sz, batch, steps, lr, lrScaling, schedule, warmup,
                    weightDecay, clipNorm, seed, threads, workers, device, checkpointEvery, maxBadSteps, optimizer, momentum, nesterov,
                    resize, precision);
        }
    }
}
