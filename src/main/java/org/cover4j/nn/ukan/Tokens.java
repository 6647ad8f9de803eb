package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

/**
 * The operations of U-KAN's tokenized stages that {@link Ops} does not have: moving between images (B, C, H, W) and
 * tokens (B, H·W, C) (row-major, {@code l = h·W + w}), LayerNorm over the channels, and 2D convolutions with a stride
 * or groups (the patch embedding and the depthwise convolutions).
 */
final class Tokens {
    /** nn.LayerNorm's default epsilon, which every U-KAN norm keeps. */
    static final double LAYER_NORM_EPS = 1e-5;

    private Tokens() {}

    /** {@code x.flatten(2).transpose(1, 2)}: (B, C, H, W) to (B, H·W, C), a view. */
    static Tensor fromImage(Tensor x) {
        return x.flatten(2, 3).transpose(1, 2);
    }

    /** {@code x.reshape(B, H, W, C).permute(0, 3, 1, 2)}: tokens (B, H·W, C) back to an image (B, C, H, W), a view. */
    static Tensor toImage(Tensor tokens, long h, long w) {
        return tokens.reshape(tokens.size(0), h, w, tokens.size(2)).permute(0, 3, 1, 2);
    }

    /** {@code nn.LayerNorm(C)} named {@code name} over the last axis. */
    static Tensor layerNorm(Params params, String name, Tensor x) {
        return torch.layer_norm(x, new long[] {x.size(-1)}, new TensorOptional(params.get(name + ".weight")),
                new TensorOptional(params.get(name + ".bias")), LAYER_NORM_EPS, false);
    }

    /** {@code Conv2d(kernel 3, padding 1, stride, groups, bias)} named {@code name}. */
    static Tensor conv3x3(Params params, String name, Tensor x, long stride, long groups) {
        return Ops.conv2d(x, params.get(name + ".weight"), params.get(name + ".bias"), stride, 1, groups);
    }
}
