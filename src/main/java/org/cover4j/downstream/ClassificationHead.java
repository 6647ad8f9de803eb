package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.List;

/**
 * Global average pooling of one feature level — the deepest (the bottleneck, 1/16 resolution) unless a linear probe
 * names another ({@code --probe-level}) — and a linear layer to one logit per class, initialised as PyTorch's
 * {@code nn.Linear}; parameters {@code cls_head.weight}, {@code cls_head.bias}.
 */
public final class ClassificationHead implements Head {
    public static final String PREFIX = "cls_head";
    private final Params params;
    private final Tensor weight;
    private final Tensor bias;
    private final int level;

    /** The usual head, on the deepest level. */
    public ClassificationHead(Params params, int inChannels, int numClasses, Rng rng) {
        this(params, inChannels, numClasses, ModelSpec.MAX_LEVEL, rng);
    }

    /** A head pooling {@code level} (0 = finest … 4 = 1/16), whose features have {@code inChannels} channels. */
    public ClassificationHead(Params params, int inChannels, int numClasses, int level, Rng rng) {
        ModelSpec.checkLevel(level);
        this.params = params;
        this.level = level;
        this.weight = params.add(PREFIX + ".weight", Init.uniformFanIn(rng, numClasses * inChannels, inChannels), numClasses, inChannels);
        this.bias = params.add(PREFIX + ".bias", Init.uniformFanIn(rng, numClasses, inChannels), numClasses);
    }

    @Override
    public Tensor apply(List<Tensor> levels) {
        return Ops.linear(Ops.globalAveragePool(levels.get(level)), weight, bias);
    }

    @Override
    public Params params() {
        return params;
    }
}
