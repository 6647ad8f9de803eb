package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

/**
 * {@code nn.Linear(in, out, bias)}: y = x·Wᵀ + b on (N, in), with PyTorch's default initialisation (weight
 * kaiming_uniform with a=√5, i.e. U(±1/√in); bias U(±1/√in)), weight drawn before bias. Tensors {@code NAME.weight}
 * (out, in) and {@code NAME.bias} (out).
 */
public final class Linear {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(Params params, String name, int in, int out, boolean bias, Rng rng) {
        this.weight = params.add(name + ".weight", Init.uniformFanIn(rng, out * in, in), out, in);
        this.bias = bias ? params.add(name + ".bias", Init.uniformFanIn(rng, out, in), out) : null;
    }

    public Tensor apply(Tensor x) {
        return Ops.linear(x, weight, bias);
    }
}
