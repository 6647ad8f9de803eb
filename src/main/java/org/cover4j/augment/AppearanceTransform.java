package org.cover4j.augment;

import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * COVER's appearance transform of the moving view (SPEC §7), for one sample, 2D or 3D, in place.
 * Operations, in this order:
 * <ol>
 *   <li>Gaussian noise: {@code std ~ U(0, 0.02)} (the reference calls it a variance but uses it as the
 *       standard deviation), i.i.d. N(0, std) per value;</li>
 *   <li>Gaussian blur ({@link GaussianBlur}) over the spatial axes;</li>
 *   <li>contrast: {@code f ~ U(0.5, 1.5)}, {@code x ← (x − m)·f + m} with m the mean of the whole sample (the
 *       reference uses the mean of its whole batch; here a sample is made alone so loader threads can work
 *       in parallel);</li>
 *   <li>brightness: {@code x ← x + β}, {@code β ~ N(0, 0.1)};</li>
 *   <li>in-painting ({@link #inpaint}): up to 10 uniform-noise blocks.</li>
 * </ol>
 * No clipping to [0, 1], as in the reference.
 *
 * <p>{@link AppearanceMode#REFERENCE} applies all five always with blur σ ~ U(0, 0.05): the kernel radius
 * {@code int(4σ + 0.5)} is then 0, so the blur is the identity (SPEC §7.2, bug 6) — it is still "applied"
 * (σ is drawn) so that the random stream has the reference's shape. {@link AppearanceMode#PAPER} applies each
 * operation independently with probability 0.9 (one coin per operation, drawn before its parameters) and
 * blurs with σ ~ U(0.1, 1.0) px.
 *
 * <p>Immutable and thread-safe; all randomness comes from the {@link Rng} passed to {@link #apply}.
 */
public final class AppearanceTransform {
    /** Paper: probability with which each operation is applied. */
    public static final double APPLY_PROBABILITY = 0.9;
    public static final double NOISE_STD_MAX = 0.02;
    public static final double REFERENCE_BLUR_SIGMA_MAX = 0.05;
    public static final double PAPER_BLUR_SIGMA_MIN = 0.1;
    public static final double PAPER_BLUR_SIGMA_MAX = 1.0;
    public static final double CONTRAST_MIN = 0.5;
    public static final double CONTRAST_MAX = 1.5;
    public static final double BRIGHTNESS_STD = 0.1;
    /** In-painting: at most this many blocks, ... */
    public static final int INPAINT_MAX_BLOCKS = 10;
    /** ... each attempted while a uniform draw is below this, ... */
    public static final double INPAINT_CONTINUE = 0.95;
    /** ... and kept at least this many pixels away from the low edge (and 3 + 1 from the high edge). */
    public static final int INPAINT_MARGIN = 3;

    private final AppearanceMode mode;

    public AppearanceTransform(AppearanceMode mode) {
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
    }

    public AppearanceMode mode() {
        return mode;
    }

    /** Transforms one sample {@code x}, C-order {@code (channels, spatial...)}, in place. */
    public void apply(float[] x, int channels, int[] spatial, Rng rng) {
        Shapes.checkSample(x, channels, spatial, "appearance");
        if (applies(rng)) addGaussianNoise(x, rng.uniform(0, NOISE_STD_MAX), rng);
        if (applies(rng)) {
            double sigma = mode == AppearanceMode.PAPER
                    ? rng.uniform(PAPER_BLUR_SIGMA_MIN, PAPER_BLUR_SIGMA_MAX)
                    : rng.uniform(0, REFERENCE_BLUR_SIGMA_MAX);
            GaussianBlur.blur(x, channels, spatial, sigma);
        }
        if (applies(rng)) adjustContrast(x, rng.uniform(CONTRAST_MIN, CONTRAST_MAX));
        if (applies(rng)) addBrightness(x, rng.gaussian(0, BRIGHTNESS_STD));
        if (applies(rng)) inpaint(x, channels, spatial, rng);
    }

    private boolean applies(Rng rng) {
        return mode == AppearanceMode.REFERENCE || rng.nextDouble() < APPLY_PROBABILITY;
    }

    /** {@code x ← x + N(0, std)} per value (drawn in double, added as float, as the reference). */
    public static void addGaussianNoise(float[] x, double std, Rng rng) {
        for (int i = 0; i < x.length; i++) x[i] += (float) (std * rng.nextGaussian());
    }

    /** {@code x ← (x − m)·factor + m}, m = mean of all values of the sample. */
    public static void adjustContrast(float[] x, double factor) {
        double sum = 0;
        for (float v : x) sum += v;
        float m = (float) (sum / x.length);
        float f = (float) factor;
        for (int i = 0; i < x.length; i++) x[i] = (x[i] - m) * f + m;
    }

    /** {@code x ← x + beta}. */
    public static void addBrightness(float[] x, double beta) {
        float b = (float) beta;
        for (int i = 0; i < x.length; i++) x[i] += b;
    }

    /** One painted block: its corner and size per spatial axis. */
    public record Block(int[] origin, int[] size) {}

    /**
     * The reference's in-painting: {@code cnt = 10}; while {@code cnt > 0} and {@code U(0,1) < 0.95}: per axis a
     * size {@code b_d = randint(3·S_d//30, 4·S_d//30)}, then per axis a corner {@code randint(3, S_d − b_d − 3)}
     * (high exclusive), filled with U[0, 1) values shared by all channels; {@code cnt −= 1}. Draw order: all
     * sizes, then all corners, then the block's values in C order.
     *
     * <p>Small images, where the reference's numpy calls would fail: when {@code 4S//30 ≤ 3S//30} the size is
     * {@code 3S//30}; a block of size 0 or one with no room for the margins is skipped (it still counts).
     *
     * @return the blocks painted, in order
     */
    public static List<Block> inpaint(float[] x, int channels, int[] spatial, Rng rng) {
        Shapes.checkSample(x, channels, spatial, "in-painting");
        int nd = spatial.length;
        int n = Shapes.count(spatial);
        List<Block> blocks = new ArrayList<>();
        for (int cnt = INPAINT_MAX_BLOCKS; cnt > 0 && rng.nextDouble() < INPAINT_CONTINUE; cnt--) {
            int[] size = new int[nd];
            for (int d = 0; d < nd; d++) {
                int lo = 3 * spatial[d] / 30, hi = 4 * spatial[d] / 30;
                size[d] = hi > lo ? rng.randint(lo, hi) : lo;
            }
            int[] origin = new int[nd];
            boolean fits = true;
            for (int d = 0; d < nd; d++) {
                int hi = spatial[d] - size[d] - INPAINT_MARGIN;
                fits &= size[d] > 0 && hi > INPAINT_MARGIN;
                origin[d] = fits ? rng.randint(INPAINT_MARGIN, hi) : 0;
            }
            if (!fits) continue;
            fill(x, channels, spatial, n, origin, size, rng);
            blocks.add(new Block(origin, size));
        }
        return blocks;
    }

    /** Fills the box with U[0, 1) values drawn in the box's C order, one value shared by all channels. */
    static void fill(float[] x, int channels, int[] spatial, int n, int[] origin, int[] size, Rng rng) {
        for (int at : Shapes.boxIndices(spatial, origin, size)) {
            float v = (float) rng.nextDouble();
            for (int c = 0; c < channels; c++) x[c * n + at] = v;
        }
    }
}
