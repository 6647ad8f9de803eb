package org.cover4j.nn.ukan;

import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * The sizes of a {@link UKan}: the official {@code UKAN(num_classes, input_channels, deep_supervision, img_size, ...,
 * embed_dims)} arguments that change the network. {@code embedDims} = [e0, e1, e2]: the conv encoder has e0/8, e0/4 and
 * e0 channels (at 1/1, 1/2, 1/4), the tokenized KAN stages e1 (1/16) and e2 (1/32); the decoder mirrors them.
 * {@code numClasses} only sizes the official 1×1 head {@code final}, registered for parity and official weights.
 * {@code imgSize} is the size a run trains at (the official {@code img_size}, which U-KAN keeps but never uses:
 * the network is fully convolutional and takes any height and width that are multiples of 32, see
 * {@link #checkInput}).
 *
 * <p>Fixed by the official code and therefore not options here: KANLinear grid size 5, spline order 3, grid range
 * [-1, 1] (hard-coded in {@code KANLayer}), one KAN block per stage ({@code depths} only sets drop-path rates), and
 * {@code drop_rate = drop_path_rate = 0} (train.py's defaults; no dropout or drop-path is implemented).
 */
public record UKanConfig(int imgSize, int[] embedDims, int numClasses) {
    /** Total downsampling of the deepest stage (three max-pools and two stride-2 patch embeddings). */
    public static final int STRIDE = 32;

    public UKanConfig {
        if (embedDims == null || embedDims.length != 3) {
            throw CoverException.usage("--embed-dims needs 3 comma-separated counts (e0,e1,e2), got "
                    + (embedDims == null ? "none" : embedDims.length));
        }
        if (embedDims[0] < 8 || embedDims[0] % 8 != 0) {
            throw CoverException.usage("--embed-dims: the first count must be a positive multiple of 8 (the conv stages have e0/8 and e0/4 channels), got " + embedDims[0]);
        }
        for (int d : embedDims) {
            if (d < 1) throw CoverException.usage("--embed-dims: every count must be positive, got " + d);
        }
        if (numClasses < 1) throw CoverException.usage("--classes must be at least 1, got " + numClasses);
        if (imgSize < STRIDE || imgSize % STRIDE != 0) {
            throw CoverException.usage("--size " + imgSize + " does not suit ukan: " + sizeRule(imgSize));
        }
        embedDims = embedDims.clone();
    }

    /** Exactly the fixtures' small configuration ({@code ukan_small_*.npz}): embed_dims [32, 40, 64], 2 classes. */
    public static UKanConfig tiny(int imgSize) {
        return new UKanConfig(imgSize, new int[] {32, 40, 64}, 2);
    }

    /**
     * The size cover4j pre-trains on 2 CPU cores: the official train.py default [128, 160, 256] (6.36 M parameters
     * with the head), already cheaper than cover4j's default U-Net: at 128², batch 2, one forward of the five levels
     * and its backward took 0.79 s against the U-Net's 1.79 s (1 thread, best of 6; docs/backbone-ukan.md).
     */
    public static UKanConfig small(int imgSize) {
        return new UKanConfig(imgSize, new int[] {128, 160, 256}, 1);
    }

    /**
     * The official size: train.py's default embed_dims [128, 160, 256], num_classes 1 (the {@code UKAN()}
     * constructor's own default, [256, 320, 512], has 25.4 M parameters and is not what the paper's runs use).
     */
    public static UKanConfig base(int imgSize) {
        return new UKanConfig(imgSize, new int[] {128, 160, 256}, 1);
    }

    /** The {@code UKAN()} constructor's default embed_dims [256, 320, 512]. */
    public static UKanConfig constructorDefault(int imgSize) {
        return new UKanConfig(imgSize, new int[] {256, 320, 512}, 1);
    }

    /** Channels at 1/1 and 1/2 (the first encoder and the last two decoder stages): e0/8. */
    int c1() {
        return embedDims[0] / 8;
    }

    /** Channels at 1/4: e0/4. */
    int c2() {
        return embedDims[0] / 4;
    }

    /**
     * Refuses, in one line, an input size U-KAN cannot take: 2D only, each side a multiple of 32 (three max-pools and
     * two stride-2 embeddings, then four ×2 upsamplings added to the skips, must land on the same grid).
     */
    public void checkInput(int[] size) {
        if (size.length != 2) {
            throw CoverException.usage("ukan is a 2D network: the input must have 2 spatial axes, got " + size.length);
        }
        for (int s : size) {
            if (s < STRIDE || s % STRIDE != 0) {
                throw CoverException.usage("--size " + s + " does not suit ukan: " + sizeRule(s));
            }
        }
    }

    private static String sizeRule(int s) {
        int below = s / STRIDE * STRIDE;
        int above = below + STRIDE;
        String nearest = below >= STRIDE ? below + " or " + above : String.valueOf(above);
        return "the input height and width must be multiples of " + STRIDE + "; nearest valid sizes " + nearest;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UKanConfig c && c.imgSize == imgSize && Arrays.equals(c.embedDims, embedDims) && c.numClasses == numClasses;
    }

    @Override
    public int hashCode() {
        return (imgSize * 31 + Arrays.hashCode(embedDims)) * 31 + numClasses;
    }

    @Override
    public String toString() {
        return "ukan embed_dims " + Arrays.toString(embedDims) + ", " + numClasses + " classes, size " + imgSize;
    }

    @Override
    public int[] embedDims() {
        return embedDims.clone();
    }
}
