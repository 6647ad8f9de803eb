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
        return pred.sub(target).abs().mul(mask).sum().div(mask.sum());
    }

    /** Masked cosine distance: 1 − Σ mask·⟨n(a), n(b)⟩ / Σmask with n(x) = x / max(‖x‖, 1e-12) over channels. */
    public static Tensor maskedCosine(Tensor a, Tensor b, Tensor mask) {
        Tensor na = normalize(a);
        Tensor nb = normalize(b);
        Tensor dot = na.mul(nb).sum(new long[] {1}, true, new ScalarTypeOptional());
        return Ops.scalarTensor(1.0, a).sub(dot.mul(mask).sum().div(mask.sum()));
    }

    private static Tensor normalize(Tensor x) {
        Tensor norm = torch.linalg_vector_norm(x, Ops.s(2.0), new long[] {1}, true, new ScalarTypeOptional());
        return x.div(norm.clamp_min(Ops.s(1e-12)));
    }
}
