package org.cover4j.nn.transunet;

import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * Every size of a TransUNet (R50-ViT hybrid, {@code Beckschen/TransUNet} {@code vit_seg_configs.get_r50_b16_config()}
 * as {@code train.py} completes it): the fields of the official config that change the network.
 *
 * <p>Fixed by the official code and therefore not fields here: the 16×16 patch grid is {@code imgSize/16} (train.py
 * sets {@code patches.grid}), so the patch embedding is a 1×1 convolution on the ResNet's 1/16 map; DecoderCup's
 * {@code head_channels} is 512; the skip channels are the ResNet's feature channels {@code [8w, 4w, w]}
 * ({@link #skipChannels()}); the classifier is {@code 'seg'}.
 *
 * @param imgSize          input height = width; the position embeddings ({@code imgSize/16})² fix it
 * @param widthFactor      {@code resnet.width_factor}: ResNet width {@code int(64 · widthFactor)}, a multiple of 32
 *                         (every unit has {@code GroupNorm(32, ·)})
 * @param resnetLayers     {@code resnet.num_layers}: bottleneck units of the three ResNet blocks
 * @param hidden           {@code hidden_size}: the transformer's token width
 * @param mlpDim           {@code transformer.mlp_dim}
 * @param numHeads         {@code transformer.num_heads} (divides {@code hidden})
 * @param numLayers        {@code transformer.num_layers}
 * @param dropout          {@code transformer.dropout_rate}: embeddings and MLP dropout in training mode
 * @param attentionDropout {@code transformer.attention_dropout_rate}: on the attention probabilities and the
 *                         attention output in training mode
 * @param decoderChannels  {@code decoder_channels}: output channels of the four decoder blocks (1/8 … 1/1)
 * @param nSkip            {@code n_skip} (0 to 3): decoder blocks 0 … nSkip−1 take a ResNet skip
 * @param nClasses         {@code n_classes}: output channels of the official segmentation head (parity only)
 */
public record TransUNetConfig(int imgSize, double widthFactor, int[] resnetLayers, int hidden, int mlpDim, int numHeads,
                              int numLayers, double dropout, double attentionDropout, int[] decoderChannels, int nSkip,
                              int nClasses) {
    /** DecoderCup's {@code head_channels}: {@code conv_more}'s output, hard-coded in the official code. */
    public static final int HEAD_CHANNELS = 512;
    /** The ResNet's total stride: the transformer runs on the 1/16 map. */
    public static final int STRIDE = 16;

    public TransUNetConfig {
        if (imgSize < STRIDE || imgSize % STRIDE != 0) {
            throw CoverException.usage("--size " + imgSize + " does not suit transunet: the input must be a positive multiple of 16");
        }
        int width = (int) (64 * widthFactor);
        if (!(widthFactor > 0) || width < 32 || width % 32 != 0) {
            throw CoverException.usage("--width-factor " + widthFactor + " does not suit transunet: the ResNet width int(64·factor) = "
                    + width + " must be a positive multiple of 32 (GroupNorm(32) in every unit), e.g. 0.5 or 1");
        }
        if (resnetLayers == null || resnetLayers.length != 3) {
            throw CoverException.usage("--resnet-layers needs 3 unit counts, got " + (resnetLayers == null ? 0 : resnetLayers.length));
        }
        for (int n : resnetLayers) if (n < 1) throw CoverException.usage("--resnet-layers: every block needs at least 1 unit, got " + n);
        if (hidden < 1 || mlpDim < 1 || numHeads < 1 || numLayers < 1) {
            throw CoverException.usage("--hidden, --mlp-dim, --heads and --layers must be positive, got " + hidden + ", " + mlpDim
                    + ", " + numHeads + ", " + numLayers);
        }
        if (hidden % numHeads != 0) {
            throw CoverException.usage("--hidden " + hidden + " must be a multiple of --heads " + numHeads);
        }
        if (!(dropout >= 0 && dropout < 1) || !(attentionDropout >= 0 && attentionDropout < 1)) {
            throw CoverException.usage("--dropout and --attention-dropout must lie in [0, 1), got " + dropout + ", " + attentionDropout);
        }
        if (decoderChannels == null || decoderChannels.length != 4) {
            throw CoverException.usage("--decoder-channels needs 4 counts, got " + (decoderChannels == null ? 0 : decoderChannels.length));
        }
        for (int c : decoderChannels) if (c < 1) throw CoverException.usage("--decoder-channels: every count must be positive, got " + c);
        // The official DecoderCup reads features[i] for i < n_skip and the hybrid ResNet returns three features.
        if (nSkip < 0 || nSkip > 3) throw CoverException.usage("--n-skip must be 0 to 3, got " + nSkip);
        if (nClasses < 1) throw CoverException.usage("--classes must be positive, got " + nClasses);
        resnetLayers = resnetLayers.clone();
        decoderChannels = decoderChannels.clone();
    }

    /** The fixture's configuration ({@code transunet_small_*.npz}): for parity tests. 927,818 parameters at 64². */
    public static TransUNetConfig tiny(int imgSize) {
        return new TransUNetConfig(imgSize, 0.5, new int[] {2, 1, 1}, 48, 96, 4, 2, 0.1, 0.0, new int[] {16, 8, 4, 2}, 3, 2);
    }

    /**
     * A size for 2 CPU cores at 128²: half-width ResNet with units (2, 2, 2), a 4-layer transformer of width 256
     * (8 heads, MLP 1024), decoder (128, 64, 32, 16): 6,616,160 parameters at 128² without the official head, about
     * the default U-Net's cost per step (docs/backbone-transunet.md).
     */
    public static TransUNetConfig small(int imgSize) {
        return new TransUNetConfig(imgSize, 0.5, new int[] {2, 2, 2}, 256, 1024, 8, 4, 0.1, 0.0, new int[] {128, 64, 32, 16}, 3, 9);
    }

    /** R50-ViT-B_16 as {@code train.py} builds it for Synapse (n_classes 9, n_skip 3): 105,277,081 parameters at 224². */
    public static TransUNetConfig base(int imgSize) {
        return new TransUNetConfig(imgSize, 1.0, new int[] {3, 4, 9}, 768, 3072, 12, 12, 0.1, 0.0, new int[] {256, 128, 64, 16}, 3, 9);
    }

    /** The same network with another dropout rate (the parity fixture's train pass sets every dropout to 0). */
    public TransUNetConfig withDropout(double rate) {
        return new TransUNetConfig(imgSize, widthFactor, resnetLayers, hidden, mlpDim, numHeads, numLayers, rate, attentionDropout,
                decoderChannels, nSkip, nClasses);
    }

    /** The ResNet width {@code int(64 · widthFactor)}. */
    public int width() {
        return (int) (64 * widthFactor);
    }

    /** Side of the token grid, {@code imgSize/16}. */
    public int grid() {
        return imgSize / STRIDE;
    }

    /** Skip channels of decoder blocks 0..3 (1/8, 1/4, 1/2, 1/1): {@code [8w, 4w, w, 0]}, 0 from block {@code nSkip} on. */
    public int[] skipChannels() {
        int w = width();
        int[] skip = {8 * w, 4 * w, w, 0};
        for (int i = nSkip; i < 4; i++) skip[i] = 0;
        return skip;
    }

    /**
     * Refuses, in one line, an input size (height, width) this network cannot take: 2D, each side a multiple of 16 and
     * equal to {@link #imgSize} (the position embeddings fix the token count).
     */
    public void checkInput(int[] size) {
        if (size.length != 2) {
            throw CoverException.usage("--size " + join(size) + " does not suit transunet: it is 2D only");
        }
        for (int s : size) {
            if (s < STRIDE || s % STRIDE != 0) {
                int below = s / STRIDE * STRIDE;
                String nearest = below < STRIDE ? String.valueOf(STRIDE) : below + " or " + (below + STRIDE);
                throw CoverException.usage("--size " + join(size) + " does not suit transunet: the input must be a multiple of 16 and equal to its image size "
                        + imgSize + "; nearest valid sizes " + nearest);
            }
            if (s != imgSize) {
                throw CoverException.usage("--size " + join(size) + " does not suit transunet built for " + imgSize + "×" + imgSize
                        + ": its position embeddings fix the input size (build it for " + s + " instead)");
            }
        }
    }

    private static String join(int[] size) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < size.length; i++) b.append(i == 0 ? "" : "x").append(size[i]);
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransUNetConfig c && c.imgSize == imgSize && c.widthFactor == widthFactor
                && Arrays.equals(c.resnetLayers, resnetLayers) && c.hidden == hidden && c.mlpDim == mlpDim
                && c.numHeads == numHeads && c.numLayers == numLayers && c.dropout == dropout
                && c.attentionDropout == attentionDropout && Arrays.equals(c.decoderChannels, decoderChannels)
                && c.nSkip == nSkip && c.nClasses == nClasses;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[] {imgSize, widthFactor, Arrays.hashCode(resnetLayers), hidden, mlpDim, numHeads, numLayers,
                dropout, attentionDropout, Arrays.hashCode(decoderChannels), nSkip, nClasses});
    }

    @Override
    public String toString() {
        return "transunet img " + imgSize + ", resnet width " + width() + " units " + Arrays.toString(resnetLayers) + ", vit hidden "
                + hidden + " mlp " + mlpDim + " heads " + numHeads + " layers " + numLayers + ", decoder "
                + Arrays.toString(decoderChannels) + " n_skip " + nSkip;
    }
}
