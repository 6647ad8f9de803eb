package org.cover4j.downstream;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.List;

/**
 * Global average pooling of the deepest level (the bottleneck, 1/16 resolution) and a linear layer to one
 * logit per class, initialised as PyTorch's {@code nn.Linear}; parameters {@code cls_head.weight}, {@code cls_head.bias}.
 */
public final class ClassificationHead implements Head {
    public static final String PREFIX = "cls_head";
    private final Params params;
    private final Tensor weight;
    private final Tensor bias;

    public ClassificationHead(Params params, int inChannels, int numClasses, Rng rng) {
        this.params = params;
        this.weight = params.add(PREFIX + ".weight", Init.uniformFanIn(rng, numClasses * inChannels, inChannels), numClasses, inChannels);
        this.bias = params.add(PREFIX + ".bias", Init.uniformFanIn(rng, numClasses, inChannels), numClasses);
    }

    @Override
    public Tensor apply(List<Tensor> levels) {
        Tensor deepest = levels.get(4);
        long[] spatial = new long[(int) deepest.dim() - 2];
        for (int i = 0; i < spatial.length; i++) spatial[i] = 2 + i;
        Tensor pooled = deepest.mean(spatial, false, new ScalarTypeOptional());
        return Ops.linear(pooled, weight, bias);
    }

    @Override
    public Params params() {
        return params;
    }
}
