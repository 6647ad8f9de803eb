package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.Map;

/** The functional pieces TransUNet's modules share, with the official epsilons, strides and registrations. */
final class Layers {
    /** {@code StdConv2d}'s epsilon inside the weight standardisation. */
    static final double STD_CONV_EPS = 1e-5;
    /** The ResNet's {@code GroupNorm(32, C, eps=1e-6)} (root, gn1..gn3); {@code gn_proj} keeps the default 1e-5. */
    static final double RESNET_GN_EPS = 1e-6;
    /** Every LayerNorm of the transformer ({@code attention_norm}, {@code ffn_norm}, {@code encoder_norm}). */
    static final double LAYER_NORM_EPS = 1e-6;

    private Layers() {}

    /**
     * {@code StdConv2d} (no bias): the weight standardised per output channel over (in, kh, kw) with the biased
     * variance, {@code (w − mean) / sqrt(var + 1e-5)}, at every forward pass; the state_dict holds the raw weight.
     */
    static Tensor stdConv(Tensor x, Tensor weight, long stride, long pad) {
        T_TensorTensor_T vm = torch.var_mean(weight, new long[] {1, 2, 3}, false, true);
        // Owning handles of the tuple's elements (the tuple's own are views of its storage), so that it can go now.
        Tensor var = new Tensor(vm.get0());
        Tensor mean = new Tensor(vm.get1());
        vm.close();
        Tensor centred = weight.sub(mean);
        Tensor denom = var.add(Ops.s(STD_CONV_EPS)).sqrt();
        Tensor w = centred.div(denom);
        Tensor y = Ops.conv2d(x, w, null, stride, pad, 1);
        // Autograd holds what the backward needs; these wrappers are read by nothing else.
        Ops.release(var, mean, centred, denom, w);
        return y;
    }

    static Tensor groupNorm(Tensor x, long groups, Tensor weight, Tensor bias, double eps) {
        return torch.group_norm(x, groups, new TensorOptional(weight), new TensorOptional(bias), eps, true);
    }

    static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias) {
        return torch.layer_norm(x, new long[] {x.size(-1)}, new TensorOptional(weight), new TensorOptional(bias), LAYER_NORM_EPS, true);
    }

    /** PyTorch's default {@code nn.Conv2d} / {@code nn.Linear} weight initialisation, U(±1/√fan_in). */
    static void defaultWeight(Params params, String name, Rng rng, long... shape) {
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
        params.add(name, Init.uniformFanIn(rng, Math.toIntExact(shape[0] * fanIn), fanIn), shape);
    }

    /** PyTorch's default bias initialisation, U(±1/√fan_in). */
    static void defaultBias(Params params, String name, Rng rng, int n, long fanIn) {
        params.add(name, Init.uniformFanIn(rng, n, fanIn), n);
    }

    /** A GroupNorm / LayerNorm's affine pair, weight 1 and bias 0. */
    static void norm(Params params, String name, int c) {
        params.add(name + ".weight", Init.constant(c, 1f), c);
        params.add(name + ".bias", Init.constant(c, 0f), c);
    }

    static void record(Map<String, Tensor> trace, String key, Tensor t) {
        if (trace != null) trace.put(key, t);
    }
}
