package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.BatchNorm;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

/**
 * U-KAN's {@code ConvLayer(in, out)} and {@code D_ConvLayer(in, out)}: conv3×3 (bias) → BatchNorm → ReLU → conv3×3
 * (bias) → BatchNorm → ReLU, keys {@code NAME.conv.0/1/3/4}. ConvLayer's first conv goes in → out, D_ConvLayer's
 * in → in ({@code mid}). Convolutions keep PyTorch's default initialisation (U(±1/√fan_in) for weight and bias; the
 * official code applies no other to these).
 */
final class ConvBlock {
    private final Params params;
    private final String name;
    private final BatchNorm norm1;
    private final BatchNorm norm2;

    ConvBlock(Params params, String name, int in, int mid, int out, Rng rng) {
        this.params = params;
        this.name = name;
        conv(params, name + ".conv.0", in, mid, 3, rng);
        norm1 = new BatchNorm(params, name + ".conv.1", mid, true);
        conv(params, name + ".conv.3", mid, out, 3, rng);
        norm2 = new BatchNorm(params, name + ".conv.4", out, true);
    }

    /** A conv layer {@code in → out} with PyTorch's default initialisation, as the official {@code final} head too. */
    static void conv(Params params, String name, int in, int out, int kernel, Rng rng) {
        long fanIn = (long) in * kernel * kernel;
        params.add(name + ".weight", Init.uniformFanIn(rng, Math.toIntExact(out * fanIn), fanIn), out, in, kernel, kernel);
        params.add(name + ".bias", Init.uniformFanIn(rng, out, fanIn), out);
    }

    Tensor apply(Tensor x, boolean training) {
        Tensor h = half(x, ".conv.0", norm1, training);
        Tensor y = half(h, ".conv.3", norm2, training);
        Ops.release(h); // read by nothing more (autograd keeps what backward needs)
        return y;
    }

    private Tensor half(Tensor x, String conv, BatchNorm norm, boolean training) {
        Tensor c = Ops.conv(x, params.get(name + conv + ".weight"), params.get(name + conv + ".bias"));
        Tensor n = norm.apply(c, training);
        Ops.release(c);
        Tensor y = Ops.relu(n);
        Ops.release(n);
        return y;
    }
}
