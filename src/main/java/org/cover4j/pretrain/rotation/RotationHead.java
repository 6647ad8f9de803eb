package org.cover4j.pretrain.rotation;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

/**
 * Global average pooling of the encoder's deepest features and a linear layer to one logit per rotation class,
 * initialised as PyTorch's {@code nn.Linear} (weight and bias U(±1/√fan_in)); parameters {@code head.weight},
 * {@code head.bias}.
 */
final class RotationHead {
    static final String PREFIX = "head";
    private final Tensor weight;
    private final Tensor bias;

    RotationHead(Params params, int inChannels, int classes, Rng rng) {
        this.weight = params.add(PREFIX + ".weight", Init.uniformFanIn(rng, classes * inChannels, inChannels), classes, inChannels);
        this.bias = params.add(PREFIX + ".bias", Init.uniformFanIn(rng, classes, inChannels), classes);
    }

    /** The logits (B, classes) of the deepest features (B, C, *S). */
    Tensor apply(Tensor deepest) {
        long[] spatial = new long[(int) deepest.dim() - 2];
        for (int i = 0; i < spatial.length; i++) spatial[i] = 2 + i;
        Tensor pooled = deepest.mean(spatial, false, new ScalarTypeOptional());
        return Ops.linear(pooled, weight, bias);
    }
}
