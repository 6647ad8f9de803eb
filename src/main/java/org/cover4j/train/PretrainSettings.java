package org.cover4j.train;

import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.util.CoverException;

/**
 * Everything that defines a pre-training run, recorded in every checkpoint so that {@code --resume}
 * continues exactly the same run. {@code data} is the image folder, or null for the embedded phantoms;
 * {@code preset} names a data set preset whose layout and preprocessing apply to {@code data} (or null).
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
        double degree,
        String appearance,
        int[] channels,
        int[] heads,
        int headDim,
        int amp,
        long seed,
        int threads,
        int workers,
        String device,
        int checkpointEvery,
        int maxBadSteps) {

    public PretrainSettings {
        if (size < 16 || size % 16 != 0) throw CoverException.usage("--size must be a positive multiple of 16 (the U-Net halves it 4 times), got " + size);
        if (batch < 1) throw CoverException.usage("--batch must be >= 1, got " + batch);
        if (steps < 1) throw CoverException.usage("--steps must be >= 1, got " + steps);
        if (!lrScaling.equals("none") && !lrScaling.equals("batch256")) {
            throw CoverException.usage("--lr-scaling must be none or batch256, got " + lrScaling);
        }
        if (!appearance.equals("paper") && !appearance.equals("reference")) {
            throw CoverException.usage("--appearance must be paper or reference, got " + appearance);
        }
        if (!(degree > 0) || degree > 1.9) throw CoverException.usage("--degree must be in (0, 1.9], got " + degree);
        if (threads < 1) throw CoverException.usage("--threads must be >= 1, got " + threads);
        if (workers < 0) throw CoverException.usage("--workers must be >= 0, got " + workers);
        if (checkpointEvery < 1) throw CoverException.usage("--checkpoint-every must be >= 1, got " + checkpointEvery);
        if (!(weightDecay >= 0)) throw CoverException.usage("--weight-decay must be >= 0, got " + weightDecay);
        if (maxBadSteps < 1) throw CoverException.usage("--max-bad-steps must be >= 1, got " + maxBadSteps);
        coverConfig(dims, channels, heads, headDim, amp); // validates the architecture
        new LrSchedule(schedule, lr, steps, warmup);
    }

    private static CoverConfig coverConfig(int dims, int[] channels, int[] heads, int headDim, int amp) {
        return new CoverConfig(dims, 1, channels, headDim, heads, amp);
    }

    public CoverConfig coverConfig() {
        return coverConfig(dims, channels, heads, headDim, amp);
    }

    /** Side of the images views are cut from: the reference loads at 1.5× the crop size (SPEC §6.1). */
    public int loaderSize() {
        return (int) (1.5 * size);
    }

    /** The learning rate actually used: {@code --lr}, times batch/256 with {@code --lr-scaling batch256} (the reference). */
    public double effectiveLr() {
        return lrScaling.equals("batch256") ? lr * batch / 256.0 : lr;
    }

    public LrSchedule lrSchedule() {
        return new LrSchedule(schedule, effectiveLr(), steps, warmup);
    }

    /** The same run with a different number of steps (a setting {@code --resume} may change). */
    public PretrainSettings withSteps(int newSteps) {
        return with(newSteps, workers, device);
    }

    /** The same run on other hardware resources: loader threads and device do not change its numbers. */
    public PretrainSettings withResources(int newWorkers, String newDevice) {
        return with(steps, newWorkers, newDevice);
    }

    private PretrainSettings with(int newSteps, int newWorkers, String newDevice) {
        return new PretrainSettings(method, data, preset, demoImages, dims, size, batch, newSteps, lr, lrScaling, schedule, warmup,
                weightDecay, clipNorm, degree, appearance, channels, heads, headDim, amp, seed, threads, newWorkers, newDevice,
                checkpointEvery, maxBadSteps);
    }
}
