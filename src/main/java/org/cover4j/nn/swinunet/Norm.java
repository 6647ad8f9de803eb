package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

/** An {@code nn.LayerNorm(dim)} over the last axis (eps 1e-5), initialised to weight 1, bias 0. */
record Norm(Tensor weight, Tensor bias) {
    static final double EPS = 1e-5;

    static Norm register(Params params, String name, int dim) {
        return new Norm(params.add(name + ".weight", Init.constant(dim, 1f), dim), params.add(name + ".bias", Init.constant(dim, 0f), dim));
    }

    Tensor apply(Tensor x) {
        return Ops.layerNorm(x, weight, bias, EPS);
    }
}
