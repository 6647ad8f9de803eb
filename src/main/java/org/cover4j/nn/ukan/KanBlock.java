package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.BatchNorm;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.Map;

/**
 * U-KAN's {@code KANBlock(dim)} on tokens (B, H·W, C): {@code x + KANLayer(norm2(x))}, one residual and no attention.
 * {@code KANLayer} = fc1 → dwconv_1 → fc2 → dwconv_2 → fc3 → dwconv_3, each {@code fcK} a {@link KanLinear} (C → C) on
 * the (B·H·W, C) rows, each {@code dwconv_K} a {@code DW_bn_relu}: tokens as an image → depthwise conv3×3 (bias) →
 * BatchNorm → ReLU → tokens. Its dropout is never called and drop-path is 0 in train.py, so neither exists here.
 * Depthwise kernels are initialised N(0, 2/9) with zero bias (the blocks' {@code _init_weights}: fan_out = 3·3·C/C).
 */
final class KanBlock {
    private static final int LAYERS = 3;

    private final Params params;
    private final String name;
    private final KanLinear[] fc = new KanLinear[LAYERS];
    private final BatchNorm[] bn = new BatchNorm[LAYERS];

    KanBlock(Params params, String name, int dim, Rng rng) {
        this.params = params;
        this.name = name;
        params.add(name + ".norm2.weight", Init.constant(dim, 1f), dim);
        params.add(name + ".norm2.bias", Init.constant(dim, 0f), dim);
        for (int k = 0; k < LAYERS; k++) fc[k] = new KanLinear(params, name + ".layer.fc" + (k + 1), dim, dim, rng);
        for (int k = 0; k < LAYERS; k++) {
            String dw = name + ".layer.dwconv_" + (k + 1);
            float[] w = new float[dim * 9];
            double std = Math.sqrt(2.0 / 9);
            for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
            params.add(dw + ".dwconv.weight", w, dim, 1, 3, 3);
            params.add(dw + ".dwconv.bias", Init.constant(dim, 0f), dim);
            bn[k] = new BatchNorm(params, dw + ".bn", dim, true);
        }
    }

    /** The block on tokens {@code x} (B, h·w, C); records {@code in/} and {@code out/} stage tensors when tracing. */
    Tensor apply(Tensor x, long h, long w, boolean training, Map<String, Tensor> trace) {
        long batch = x.size(0);
        long tokens = x.size(1);
        long dim = x.size(2);
        Tensor normed = Tokens.layerNorm(params, name + ".norm2", x);
        Tensor y = normed;
        for (int k = 0; k < LAYERS; k++) {
            String layer = name + ".layer.";
            Tensor rows = y.reshape(batch * tokens, dim);
            if (k == 0) UKan.record(trace, "in/" + layer + "fc1", rows);
            Tensor mixed = fc[k].apply(rows);
            UKan.record(trace, "out/" + layer + "fc" + (k + 1), mixed);
            Tensor image = mixed.reshape(batch, tokens, dim).transpose(1, 2).view(batch, dim, h, w);
            Tensor conv = Tokens.conv3x3(params, layer + "dwconv_" + (k + 1) + ".dwconv", image, 1, dim);
            Tensor normedConv = bn[k].apply(conv, training);
            Tensor activated = Ops.relu(normedConv);
            Tensor next = Tokens.fromImage(activated);
            UKan.record(trace, "out/" + layer + "dwconv_" + (k + 1), next);
            // Wrappers nothing reads again (autograd keeps what backward needs); kept whole when tracing.
            if (trace == null) Ops.release(y == normed ? null : y, rows, mixed, image, conv, normedConv, activated);
            y = next;
        }
        Tensor out = x.add(y);
        if (trace == null) Ops.release(normed, y);
        UKan.record(trace, "out/" + name, out);
        return out;
    }
}
