package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

/**
 * An {@code nn.Linear} of Swin-Unet, initialised as its {@code _init_weights} does: weight trunc_normal(std 0.02,
 * bounds ±2), bias 0 (which differs from cover4j's {@link org.cover4j.nn.Linear}, PyTorch's default init).
 */
record Affine(Tensor weight, Tensor bias) {
    static final double STD = 0.02;

    static Affine register(Params params, String name, int in, int out, boolean bias, Rng rng) {
        Tensor w = params.add(name + ".weight", Init.truncNormal(rng, out * in, STD, -2, 2), out, in);
        Tensor b = bias ? params.add(name + ".bias", Init.constant(out, 0f), out) : null;
        return new Affine(w, b);
    }

    Tensor apply(Tensor x) {
        return Ops.linear(x, weight, bias);
    }
}
