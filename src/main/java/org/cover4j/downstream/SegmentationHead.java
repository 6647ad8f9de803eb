package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.List;

/**
 * A 1×1 convolution from the finest feature level (full resolution) to one logit per class, initialised as
 * PyTorch's {@code nn.Conv2d/3d} default; parameters {@code seg_head.weight}, {@code seg_head.bias}.
 */
public final class SegmentationHead implements Head {
    public static final String PREFIX = "seg_head";
    private final Params params;
    private final Tensor weight;
    private final Tensor bias;

    public SegmentationHead(Params params, int dims, int inChannels, int numClasses, Rng rng) {
        this.params = params;
        long[] shape = dims == 2 ? new long[] {numClasses, inChannels, 1, 1} : new long[] {numClasses, inChannels, 1, 1, 1};
        this.weight = params.add(PREFIX + ".weight", Init.uniformFanIn(rng, numClasses * inChannels, inChannels), shape);
        this.bias = params.add(PREFIX + ".bias", Init.uniformFanIn(rng, numClasses, inChannels), numClasses);
    }

    @Override
    public Tensor apply(List<Tensor> levels) {
        return Ops.conv(levels.get(0), weight, bias);
    }

    @Override
    public Params params() {
        return params;
    }
}
