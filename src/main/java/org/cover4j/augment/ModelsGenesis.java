package org.cover4j.augment;

import org.cover4j.util.Rng;

/**
 * Models Genesis's training pair for one single-channel image, 2D or 3D (Zhou et al., "Models Genesis",
 * MedIA 2021; official code MrGiovanni/ModelsGenesis, {@code pytorch/utils.py}, {@code generate_pair}). The
 * network learns to restore the clean {@code target} from the distorted {@code input}. In order:
 * <ol>
 *   <li>flips: while {@code U(0,1) < flipRate} and fewer than {@code maxFlips} flips were made, flip along a
 *       random spatial axis; input and target are the same flipped image;</li>
 *   <li>with probability {@code localRate}: {@link LocalPixelShuffle} of the input;</li>
 *   <li>with probability {@code nonlinearRate}: {@link BezierIntensity#randomMapping} of the input;</li>
 *   <li>with probability {@code paintRate}: {@link GenesisPainting#inpaint} with probability
 *       {@code inpaintRate}, otherwise {@link GenesisPainting#outpaint}.</li>
 * </ol>
 * The official code's random draws are Python's {@code random.randint(lo, hi)}, inclusive of both ends, so
 * every integer draw here is {@link #pythonRandint} — not numpy's high-exclusive {@code randint}.
 *
 * <p>Difference from the official code: it picks the flip axis with {@code random.choice([0, 1, 2])} on an
 * array shaped {@code (1, H, W, D)}, so one third of its "flips" reverse the size-1 channel axis (a no-op) and
 * depth is never flipped; here the axis is uniform over the spatial axes. Small images, where its draws
 * would raise, are handled as each part documents.
 */
public final class ModelsGenesis {
    private ModelsGenesis() {}

    /**
     * The restoration pair over the grid {@code spatial}: distorted {@code input} and clean {@code target}, one
     * channel each. As a record of arrays its {@code equals} compares array identity.
     */
    public record Pair(int[] spatial, float[] input, float[] target) {}

    /**
     * Probabilities of each transformation and the local-shuffle block count. {@link #DEFAULT} is the official
     * configuration ({@code flip_rate 0.4, local_rate 0.5, nonlinear_rate 0.9, paint_rate 0.9, inpaint_rate 0.2},
     * 10,000 blocks, at most 3 flips); other values serve ablations and tests.
     */
    public record Settings(double flipRate, int maxFlips, double localRate, int shuffleBlocks,
                           double nonlinearRate, double paintRate, double inpaintRate) {
        public static final Settings DEFAULT = new Settings(0.4, 3, 0.5, 10_000, 0.9, 0.9, 0.2);

        public Settings {
            for (double p : new double[] {flipRate, localRate, nonlinearRate, paintRate, inpaintRate}) {
                if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Models Genesis: probability " + p + " not in [0, 1]");
            }
            if (maxFlips < 0 || shuffleBlocks < 0) {
                throw new IllegalArgumentException("Models Genesis: maxFlips and shuffleBlocks must be ≥ 0, got " + maxFlips + ", " + shuffleBlocks);
            }
        }
    }

    /** {@link #make(float[], int[], Settings, Rng)} with the official settings. */
    public static Pair make(float[] image, int[] shape, Rng rng) {
        return make(image, shape, Settings.DEFAULT, rng);
    }

    /**
     * Makes one pair; {@code image} (one channel, C-order over {@code shape}) is not modified.
     *
     * @param rng this sample's own generator
     */
    public static Pair make(float[] image, int[] shape, Settings settings, Rng rng) {
        Shapes.checkSample(image, 1, shape, "Models Genesis");
        float[] target = image.clone();
        // The coin comes before the count, as in the official `while random.random() < prob and cnt > 0`.
        for (int left = settings.maxFlips(); rng.nextDouble() < settings.flipRate() && left > 0; left--) {
            target = Flips.flip(target, 1, shape, rng.randint(0, shape.length));
        }
        float[] input = target.clone();
        if (rng.nextDouble() < settings.localRate()) {
            LocalPixelShuffle.shuffle(target, input, shape, settings.shuffleBlocks(), rng);
        }
        if (rng.nextDouble() < settings.nonlinearRate()) BezierIntensity.randomMapping(input, rng);
        if (rng.nextDouble() < settings.paintRate()) {
            if (rng.nextDouble() < settings.inpaintRate()) GenesisPainting.inpaint(input, shape, rng);
            else GenesisPainting.outpaint(input, shape, rng);
        }
        return new Pair(shape.clone(), input, target);
    }

    /** Python's {@code random.randint(lo, hi)}: uniform over {@code lo..hi}, both inclusive. */
    static int pythonRandint(Rng rng, int lo, int hi) {
        return rng.randint(lo, hi + 1);
    }
}
