package org.cover4j.nn.swinunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.util.Rng;

/**
 * {@code PatchMerging}: (B, res², C) → (B, (res/2)², 2C). Each 2×2 block's four tokens are concatenated in the official
 * order x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2] (rows first), then LayerNorm(4C) and a bias-free
 * Linear(4C → 2C). Tensors {@code NAME.reduction.weight} then {@code NAME.norm.*} (registration order).
 */
final class PatchMerging {
    private final int res;
    private final Affine reduction;
    private final Norm norm;

    PatchMerging(Params params, String name, int dim, int res, Rng rng) {
        this.res = res;
        reduction = Affine.register(params, name + ".reduction", 4 * dim, 2 * dim, false, rng);
        norm = Norm.register(params, name + ".norm", 4 * dim);
    }

    Tensor forward(Tensor x) {
        long b = x.size(0);
        long c = x.size(2);
        int half = res / 2;
        // view element [b, h, i, w, j, c] = x[b, 2h+i, 2w+j, c]; the official piece order is k = 2j + i, so j before i.
        Tensor merged = x.view(b, half, 2, half, 2, c).permute(0, 1, 3, 4, 2, 5).reshape(b, (long) half * half, 4 * c);
        return reduction.apply(norm.apply(merged));
    }
}
