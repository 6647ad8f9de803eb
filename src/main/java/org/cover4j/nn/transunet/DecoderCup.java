package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.BatchNorm;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.cover4j.nn.transunet.Layers.record;

/**
 * The official {@code DecoderCup} ({@code decoder.*}): the tokens as a (B, hidden, h, w) map, {@code conv_more}
 * (Conv2dReLU to 512 channels), then four {@code DecoderBlock}s, each ×2 bilinear upsampling with
 * align_corners=True ({@code nn.UpsamplingBilinear2d}), concatenation [upsampled, skip] where block i &lt; n_skip
 * has a skip, and two Conv2dReLU (conv 3×3 without bias, BatchNorm, ReLU).
 */
final class DecoderCup {
    private final Params params;
    private final String prefix;
    private final TransUNetConfig config;
    /** conv_more's, then per block conv1's and conv2's BatchNorm: 1 + 2·4. */
    private final List<BatchNorm> norms = new ArrayList<>();

    /** Registers every tensor under {@code prefix} (which ends in {@code decoder.}) in state_dict order. */
    DecoderCup(Params params, String prefix, TransUNetConfig config, Rng rng) {
        this.params = params;
        this.prefix = prefix;
        this.config = config;
        registerConvBn("conv_more", config.hidden(), TransUNetConfig.HEAD_CHANNELS, rng);
        int[] out = config.decoderChannels();
        int[] skip = config.skipChannels();
        int in = TransUNetConfig.HEAD_CHANNELS;
        for (int i = 0; i < 4; i++) {
            registerConvBn("blocks." + i + ".conv1", in + skip[i], out[i], rng);
            registerConvBn("blocks." + i + ".conv2", out[i], out[i], rng);
            in = out[i];
        }
    }

    private void registerConvBn(String name, int in, int out, Rng rng) {
        Layers.defaultWeight(params, prefix + name + ".0.weight", rng, out, in, 3, 3);
        norms.add(new BatchNorm(params, prefix + name + ".1", out, true));
    }

    /** The decoder's five maps, coarsest first: conv_more (1/16), blocks 0..3 (1/8 … 1/1). */
    List<Tensor> forward(Transformer.Encoded encoded, boolean training, Map<String, Tensor> trace) {
        Tensor tokens = encoded.tokens();
        long b = tokens.size(0);
        int side = config.grid();
        // (B, n, hidden) -> (B, hidden, h, w), as the official permute(0, 2, 1).contiguous().view(...).
        Tensor map = tokens.permute(0, 2, 1).contiguous().view(b, config.hidden(), side, side);
        List<Tensor> maps = new ArrayList<>();
        Tensor x = convBnRelu(map, "conv_more", 0, training);
        if (trace == null) Ops.release(map);
        record(trace, "out/decoder.conv_more", x);
        maps.add(x);
        for (int i = 0; i < 4; i++) {
            Tensor up = Ops.upsample2x(x, true);
            Tensor joined = i < config.nSkip() ? Ops.cat(1, up, encoded.features().skip(i)) : up;
            Tensor y = convBnRelu(joined, "blocks." + i + ".conv1", 1 + 2 * i, training);
            x = convBnRelu(y, "blocks." + i + ".conv2", 2 + 2 * i, training);
            Ops.release(y);
            if (joined != up) Ops.release(joined);
            Ops.release(up);
            record(trace, "out/decoder.blocks." + i, x);
            maps.add(x);
        }
        return maps;
    }

    private Tensor convBnRelu(Tensor x, String name, int norm, boolean training) {
        Tensor c = Ops.conv(x, params.get(prefix + name + ".0.weight"), null);
        Tensor n = norms.get(norm).apply(c, training);
        Tensor r = Ops.relu(n);
        Ops.release(c, n);
        return r;
    }
}
