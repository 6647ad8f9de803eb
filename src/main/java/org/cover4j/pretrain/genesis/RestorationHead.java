package org.cover4j.pretrain.genesis;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

/**
 * Models Genesis's output layer: a 1×1 convolution of the finest decoder level to one channel and a sigmoid, the
 * restored image in [0, 1] (the official {@code OutputTransition}); parameters {@code head.weight}, {@code head.bias},
 * initialised as PyTorch's {@code nn.Conv} (both U(±1/√fan_in)).
 */
final class RestorationHead {
    static final String PREFIX = "head";
    private final Tensor weight;
    private final Tensor bias;

    RestorationHead(Params params, int dims, int inChannels, Rng rng) {
        long[] shape = new long[2 + dims];
        shape[0] = 1;
        shape[1] = inChannels;
        for (int d = 0; d < dims; d++) shape[2 + d] = 1;
        this.weight = params.add(PREFIX + ".weight", Init.uniformFanIn(rng, inChannels, inChannels), shape);
        this.bias = params.add(PREFIX + ".bias", Init.uniformFanIn(rng, 1, inChannels), 1);
    }

    /** The restored image (B, 1, *S) from the finest features (B, C, *S). */
    Tensor apply(Tensor finest) {
        return torch.sigmoid(Ops.conv(finest, weight, bias));
    }
}
