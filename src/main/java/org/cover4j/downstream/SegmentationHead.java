package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.List;

/**
 * A 1×1 convolution from one feature level to one logit per class, initialised as PyTorch's {@code nn.Conv2d/3d}
 * default; parameters {@code seg_head.weight}, {@code seg_head.bias}. The usual head reads level 0 (full resolution).
 * A head on a coarser level L ({@code finetune --mode linear --probe-level L}, a linear probe of that level) computes its
 * logits at 1/2^L resolution and upsamples them (bi/trilinear, {@code align_corners=False}, as the U-Net's own
 * upsampling) to the size of level 0: the loss and the metrics then see full-resolution logits whatever the level, and
 * the probe stays linear in the level's features (interpolation is linear too), so levels compare on equal terms.
 */
public final class SegmentationHead implements Head {
    public static final String PREFIX = "seg_head";
    private final Params params;
    private final Tensor weight;
    private final Tensor bias;
    private final int level;

    /** The usual head, on level 0. */
    public SegmentationHead(Params params, int dims, int inChannels, int numClasses, Rng rng) {
        this(params, dims, inChannels, numClasses, 0, rng);
    }

    /** A head on {@code level} (0 = finest … 4 = 1/16), whose features have {@code inChannels} channels. */
    public SegmentationHead(Params params, int dims, int inChannels, int numClasses, int level, Rng rng) {
        ModelSpec.checkLevel(level);
        this.params = params;
        this.level = level;
        long[] shape = dims == 2 ? new long[] {numClasses, inChannels, 1, 1} : new long[] {numClasses, inChannels, 1, 1, 1};
        this.weight = params.add(PREFIX + ".weight", Init.uniformFanIn(rng, numClasses * inChannels, inChannels), shape);
        this.bias = params.add(PREFIX + ".bias", Init.uniformFanIn(rng, numClasses, inChannels), numClasses);
    }

    @Override
    public Tensor apply(List<Tensor> levels) {
        Tensor logits = Ops.conv(levels.get(level), weight, bias);
        if (level == 0) return logits;
        Tensor finest = levels.get(0);
        long[] size = new long[(int) finest.dim() - 2];
        for (int d = 0; d < size.length; d++) size[d] = finest.size(2 + d);
        return Ops.upsampleTo(logits, size, false);
    }

    @Override
    public Params params() {
        return params;
    }
}
