package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;

/** COVER's two losses (SPEC §8), as pure functions of tensors. Both are NaN for an empty mask, as in the reference. */
public final class CoverLosses {
    /** The floor on a feature vector's norm in the cosine (the reference's {@code F.normalize} default). */
    private static final double EPS = 1e-12;

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

    /**
     * {@link #maskedCosine} and its gradients, by hand and outside autograd: {loss, dL/da, dL/db}. Autograd would keep
     * both normalised feature maps and the warped one until its backward pass and make several more there; this
     * makes the two gradients and nothing else of a feature map's size but one transient product. The gradient of
     * cos = ⟨a, b⟩ / (n_a n_b), n_x = max(‖x‖, 1e-12), is b / (n_a n_b) − cos · a / n_a² for a (the second term only
     * where ‖a‖ ≥ 1e-12, as clamp's gradient), and the same with a and b swapped; dL/dcos = −mask / Σmask.
     */
    public static Tensor[] maskedCosineWithGradients(Tensor a, Tensor bGiven, Tensor mask) {
        try (NoGradGuard g = new NoGradGuard()) {
            // Computed in a's layout (a product of two layouts runs strided); b's gradient is returned in b's.
            Tensor b = Ops.sameLayout(bGiven, a);
            Tensor product = a.mul(b);
            Tensor dot = product.sum(new long[] {1}, true, new ScalarTypeOptional());
            Ops.release(product);
            Tensor normA = norm(a);
            Tensor normB = norm(b);
            Tensor na = normA.clamp_min(Ops.s(EPS));
            Tensor nb = normB.clamp_min(Ops.s(EPS));
            Tensor denominator = na.mul(nb);
            Tensor cos = dot.div(denominator);
            Tensor count = mask.sum();
            Tensor masked = cos.mul(mask);
            Tensor sum = masked.sum();
            Tensor mean = sum.div(count);
            Tensor one = Ops.scalarTensor(1.0, a);
            Tensor loss = one.sub(mean);
            Tensor dCos = mask.div(count).neg_();
            Tensor alpha = dCos.div(denominator);
            Tensor selfA = selfTerm(dCos, cos, normA, na);
            Tensor selfB = selfTerm(dCos, cos, normB, nb);
            // Each gradient starts from its own input's product, so that it has that input's layout (a leaf's gradient
            // in another layout than the leaf makes autograd copy it, with a warning, when it adds to it).
            Tensor ga = a.mul(selfA);
            ga.addcmul_(b, alpha);
            Tensor gb = b.mul(selfB);
            gb.addcmul_(a, alpha);
            Ops.release(dot, normA, normB, na, nb, denominator, cos, count, masked, sum, mean, one, dCos, alpha, selfA, selfB);
            if (b != bGiven) {
                Tensor laidOut = Ops.sameLayout(gb, bGiven);
                if (laidOut != gb) Ops.release(gb);
                Ops.release(b);
                gb = laidOut;
            }
            return new Tensor[] {loss, ga, gb};
        }
    }

    /** −dL/dcos · cos / n_x², zero where ‖x‖ &lt; 1e-12 (per position: the coefficient of x in x's gradient). */
    private static Tensor selfTerm(Tensor dCos, Tensor cos, Tensor normX, Tensor nx) {
        Tensor t = dCos.mul(cos).div_(nx).div_(nx).neg_();
        Tensor kept = normX.ge(Ops.s(EPS));
        t.mul_(kept);
        Ops.release(kept);
        return t;
    }

    private static Tensor norm(Tensor x) {
        return torch.linalg_vector_norm(x, Ops.s(2.0), new long[] {1}, true, new ScalarTypeOptional());
    }

    /**
     * {@code F.normalize(x, dim=1)}: x / max(‖x‖, 1e-12) over axis 1 (the channels of a feature map, or the entries of
     * each row of a matrix of row vectors).
     */
    public static Tensor normalize(Tensor x) {
        Tensor norm = norm(x);
        Tensor clamped = norm.clamp_min(Ops.s(EPS));
        Tensor normalized = x.div(clamped);
        Ops.release(norm, clamped);
        return normalized;
    }
}
