package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.util.Rng;

/**
 * {@code PatchExpand} (factor 2: Linear(C → 2C) → C/2 channels) and {@code FinalPatchExpand_X4} (factor 4:
 * Linear(C → 16C) → C channels), both bias-free, then {@code rearrange('b h w (p1 p2 c) -> b (h p1) (w p2) c')}
 * — token (h, w)'s channels (i1·p + i2)·c + k go to pixel (h·p + i1, w·p + i2) — and LayerNorm of the output
 * channels. (B, res², C) → (B, (p·res)², out). Tensors {@code NAME.expand.weight}, {@code NAME.norm.*}.
 */
final class PatchExpand {
    private final int res;
    private final int factor;
    private final int out;
    private final Affine expand;
    private final Norm norm;

    PatchExpand(Params params, String name, int dim, int res, int factor, Rng rng) {
        this.res = res;
        this.factor = factor;
        this.out = factor == 2 ? dim / 2 : dim;
        expand = Affine.register(params, name + ".expand", dim, out * factor * factor, false, rng);
        norm = Norm.register(params, name + ".norm", out);
    }

    Tensor forward(Tensor x) {
        long b = x.size(0);
        Tensor y = expand.apply(x).view(b, res, res, factor, factor, out).permute(0, 1, 3, 2, 4, 5)
                .reshape(b, (long) res * factor * res * factor, out);
        return norm.apply(y);
    }
}
