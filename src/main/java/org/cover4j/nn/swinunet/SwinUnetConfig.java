package org.cover4j.nn.swinunet;

import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * The sizes of a Swin-Unet ({@code SwinTransformerSys} of HuCaoFighting/Swin-Unet): the official constructor's
 * arguments that shape the network. {@code qk_scale} is always None (head_dim^-0.5), {@code ape} False and
 * {@code patch_norm} True, as in every official configuration; dropout, attention dropout and drop-path are not
 * implemented (rate 0; see docs/backbone-swinunet.md). The decoder mirrors the encoder: stage i of the decoder uses
 * {@code depths[3-i]} and {@code numHeads[3-i]} (the official code ignores {@code depths_decoder}).
 *
 * @param imgSize    input height = width; fixes the attention masks of the shifted windows
 * @param patchSize  patch size, 4 (the final ×4 patch expansion assumes it)
 * @param inChans    input channels of the patch embedding (the official wrapper builds 3 and repeats grey images)
 * @param embedDim   channels C of the first stage (stage i has C·2^i)
 * @param depths     Swin blocks per encoder stage (4 stages)
 * @param numHeads   attention heads per encoder stage
 * @param windowSize attention window before the official clamping to a stage's resolution
 * @param mlpRatio   MLP hidden width / channels
 * @param qkvBias    whether the qkv projection has a bias
 */
public record SwinUnetConfig(int imgSize, int patchSize, int inChans, int embedDim, int[] depths, int[] numHeads,
                             int windowSize, double mlpRatio, boolean qkvBias) {
    /** Encoder stages; the official decoder indexes its skips as {@code x_downsample[3 - i]}, so exactly 4. */
    public static final int STAGES = 4;
    /** Patch size: {@code FinalPatchExpand_X4} restores ×4, so only a 4-pixel patch gives full-resolution output. */
    public static final int PATCH = 4;

    public SwinUnetConfig {
        if (patchSize != PATCH) throw CoverException.usage("--patch-size must be 4 for swinunet (its final patch expansion is ×4), got " + patchSize);
        if (inChans < 1) throw CoverException.usage("--in-chans must be at least 1, got " + inChans);
        if (embedDim < 1) throw CoverException.usage("--embed-dim must be at least 1, got " + embedDim);
        if (windowSize < 1) throw CoverException.usage("--window must be at least 1, got " + windowSize);
        if (!(mlpRatio > 0) || (int) (embedDim * mlpRatio) < 1) throw CoverException.usage("--mlp-ratio must be positive, got " + mlpRatio);
        if (depths == null || depths.length != STAGES) throw CoverException.usage("--depths needs 4 counts, got " + Arrays.toString(depths));
        if (numHeads == null || numHeads.length != STAGES) throw CoverException.usage("--heads needs 4 counts, got " + Arrays.toString(numHeads));
        depths = depths.clone();
        numHeads = numHeads.clone();
        for (int i = 0; i < STAGES; i++) {
            if (depths[i] < 1) throw CoverException.usage("--depths: every stage needs at least one block, got " + Arrays.toString(depths));
            int dim = embedDim << i;
            if (numHeads[i] < 1 || dim % numHeads[i] != 0) {
                throw CoverException.usage("--heads: stage " + i + " has " + dim + " channels, which " + numHeads[i] + " heads do not divide");
            }
        }
        if (!fits(imgSize, windowSize)) throw CoverException.usage(sizeProblem(imgSize, windowSize));
    }

    /** The fixture's small configuration (reference/backbones, 766,200 parameters with its 2-class head): for tests. */
    public static SwinUnetConfig tiny(int imgSize) {
        return new SwinUnetConfig(imgSize, PATCH, 1, 16, new int[] {2, 2, 2, 2}, new int[] {2, 4, 8, 16}, 4, 4.0, true);
    }

    /**
     * A size that trains on 2 CPU cores at 128²: C = 48 (half the official width), the official depths and heads
     * (head_dim 16), window 4 so that every stage at 128² (32, 16, 8, 4) is windowed. 1-channel input.
     */
    public static SwinUnetConfig small(int imgSize) {
        return new SwinUnetConfig(imgSize, PATCH, 1, 48, new int[] {2, 2, 2, 2}, new int[] {3, 6, 12, 24}, 4, 4.0, true);
    }

    /**
     * The official {@code swin_tiny_patch4_window7_224_lite} (C = 96, window 7, depths [2,2,2,2], heads
     * [3,6,12,24]) with 3 input channels, as the official wrapper builds it, so that its checkpoints load.
     */
    public static SwinUnetConfig base(int imgSize) {
        return new SwinUnetConfig(imgSize, PATCH, 3, 96, new int[] {2, 2, 2, 2}, new int[] {3, 6, 12, 24}, 7, 4.0, true);
    }

    /** The same network for another input channel count of the patch embedding. */
    public SwinUnetConfig withInChans(int channels) {
        return new SwinUnetConfig(imgSize, patchSize, channels, embedDim, depths, numHeads, windowSize, mlpRatio, qkvBias);
    }

    @Override
    public int[] depths() {
        return depths.clone();
    }

    @Override
    public int[] numHeads() {
        return numHeads.clone();
    }

    /** Channels of encoder stage {@code stage} (0..3): C·2^stage. */
    public int dim(int stage) {
        return embedDim << stage;
    }

    /** Token grid side of encoder stage {@code stage}: imgSize / 4 / 2^stage. */
    public int resolution(int stage) {
        return imgSize / PATCH >> stage;
    }

    /** The window a stage's blocks use: the configured one, clamped to the resolution when it does not exceed it. */
    public int window(int stage) {
        return Math.min(windowSize, resolution(stage));
    }

    /**
     * The cyclic shift of block {@code block} of a stage: half the configured window for odd blocks, none where the
     * window covers the whole stage ({@code min(resolution) <= window_size} in the official block).
     */
    public int shift(int stage, int block) {
        if (block % 2 == 0 || resolution(stage) <= windowSize) return 0;
        return windowSize / 2;
    }

    /** Hidden width of the MLPs of stage {@code stage}: {@code int(dim · mlp_ratio)}. */
    public int mlpHidden(int stage) {
        return (int) (dim(stage) * mlpRatio);
    }

    /** Refuses an input size other than {@link #imgSize} (2D, height = width), naming the valid sizes near it. */
    public void checkInput(int[] size) {
        if (size.length != 2) throw CoverException.usage("swinunet is 2D only, got a " + size.length + "-D input " + Arrays.toString(size));
        for (int s : size) {
            if (s == imgSize) continue;
            if (!fits(s, windowSize)) throw CoverException.usage(sizeProblem(s, windowSize));
            throw CoverException.usage("--size " + s + " does not suit swinunet built for image size " + imgSize
                    + ": the input must be square and equal to its image size (its attention masks are fixed)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwinUnetConfig c && c.imgSize == imgSize && c.patchSize == patchSize && c.inChans == inChans
                && c.embedDim == embedDim && Arrays.equals(c.depths, depths) && Arrays.equals(c.numHeads, numHeads)
                && c.windowSize == windowSize && Double.compare(c.mlpRatio, mlpRatio) == 0 && c.qkvBias == qkvBias;
    }

    @Override
    public int hashCode() {
        return ((imgSize * 31 + embedDim) * 31 + windowSize) * 31 + Arrays.hashCode(depths) * 17 + Arrays.hashCode(numHeads);
    }

    @Override
    public String toString() {
        return "swinunet(img " + imgSize + ", in " + inChans + ", C " + embedDim + ", depths " + Arrays.toString(depths)
                + ", heads " + Arrays.toString(numHeads) + ", window " + windowSize + ", mlp " + mlpRatio + ")";
    }

    /**
     * Whether a {@code size}² input suits the architecture: 4-pixel patches, three 2× patch mergings (the token grid a
     * multiple of 8) and, at every stage the window does not cover whole, a grid the window divides.
     */
    static boolean fits(int size, int window) {
        if (size < 8 * PATCH || size % (8 * PATCH) != 0) return false;
        for (int stage = 0; stage < STAGES; stage++) {
            int r = size / PATCH >> stage;
            if (r > window && r % window != 0) return false;
        }
        return true;
    }

    /** The one-line refusal of {@code size}, with the nearest valid sizes below and above it. */
    static String sizeProblem(int size, int window) {
        // A grid of 8·window·m tokens suits every stage, so a valid size exists within 32·window above.
        int above = Math.max(size + 1, 8 * PATCH);
        while (!fits(above, window)) above++;
        int below = size - 1;
        while (below >= 8 * PATCH && !fits(below, window)) below--;
        String nearest = below >= 8 * PATCH ? "nearest valid sizes " + below + " or " + above : "nearest valid size " + above;
        return "--size " + size + " does not suit swinunet (window " + window + "): the input must be a multiple of 32 whose "
                + "patch grid (size/4) and its halvings the window divides, or fits in one window; " + nearest;
    }
}
