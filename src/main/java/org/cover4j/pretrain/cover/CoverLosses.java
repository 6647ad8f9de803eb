package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;

/** COVER's two losses (SPEC §8), as pure functions of tensors. Both are NaN for an empty mask, as in the reference. */
public final class CoverLosses {
    private CoverLosses() {}

    /** Masked L1: Σ|a−b|·mask / Σmask, summed over flow channels (not averaged), pooled over the batch. */
    public static Tensor maskedL1(Tensor pred, Tensor target, Tensor mask) {
        Tensor diff = pred.sub(target);
        Tensor abs = diff.abs();
        Tensor masked = abs.mul(mask);
        Tensor sum = masked.sum();
        Tensor count = mask.sum();
        Tensor loss = sum.div(count);
        // Only wrappers are released: autograd keeps what its backward needs, and frees it after the backward pass.
        Ops.release(diff, abs, masked, sum, count);
        return loss;
    }

    /** Masked cosine distance: 1 − Σ mask·⟨n(a), n(b)⟩ / Σmask with n(x) = x / max(‖x‖, 1e-12) over channels. */
    public static Tensor maskedCosine(Tensor a, Tensor b, Tensor mask) {
        Tensor na = normalize(a);
        Tensor nb = normalize(b);
        Tensor product = na.mul(nb);
        Tensor dot = product.sum(new long[] {1}, true, new ScalarTypeOptional());
        Tensor masked = dot.mul(mask);
        Tensor sum = masked.sum();
        Tensor count = mask.sum();
        Tensor mean = sum.div(count);
        Tensor one = Ops.scalarTensor(1.0, a);
        Tensor loss = one.sub(mean);
        Ops.release(na, nb, product, dot, masked, sum, count, mean, one);
        return loss;
    }

    private static Tensor normalize(Tensor x) {
        Tensor norm = torch.linalg_vector_norm(x, Ops.s(2.0), new long[] {1}, true, new ScalarTypeOptional());
        Tensor clamped = norm.clamp_min(Ops.s(1e-12));
        Tensor normalized = x.div(clamped);
        Ops.release(norm, clamped);
        return normalized;
    }
}
