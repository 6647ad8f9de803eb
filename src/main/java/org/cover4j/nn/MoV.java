package org.cover4j.nn;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;

/**
 * Mixture of Vectors (SPEC §4): for each fixed-image position, a softmax over the similarities to the
 * moving features in a (2·amp+1)^nd window weights the window's offset vectors; the weighted sum is a
 * displacement. No learnable parameters.
 *
 * <p>MoV is computed outside autograd, with its gradient written out by hand ({@link #backward}): the local
 * correlation is one fused pass ({@link LocalCorrelation}) instead of K^nd shifted products whose autograd
 * graph allocates a full-size gradient per offset, and only the softmax weights are kept for the backward
 * pass. On CPU float32 the mixture and the gradient through the softmax are fused Java loops too: the weights are
 * the only (B, K^nd, heads, *S) tensor besides the logits, and no BLAS is called. {@code CoverModel} stitches the hand-written gradient into the rest of the step.
 */
public final class MoV {
    private MoV() {}

    /** The template vectors {@code v_n} (K^nd × nd), first spatial axis slowest; same as the reference's buffer. */
    public static float[] templates(int nd, int amp) {
        int k = 2 * amp + 1;
        int n = (int) Math.pow(k, nd);
        float[] t = new float[n * nd];
        for (int i = 0; i < n; i++) {
            int rest = i;
            for (int d = nd - 1; d >= 0; d--) {
                t[i * nd + d] = (rest % k) - amp;
                rest /= k;
            }
        }
        return t;
    }

    /**
     * A MoV evaluation: its output (B, nd, *S), the softmax weights {@code attn} (B, K^nd, heads, *S), and the
     * scaled queries and keys the gradient needs. Close it when the backward pass is done with it.
     */
    public record Result(Tensor out, Tensor attn, Tensor scaledQuery, Tensor key, int heads, int amp) implements AutoCloseable {
        @Override
        public void close() {
            Ops.release(attn, scaledQuery, key);
        }
    }

    /** {@code MoV(q, k)} without autograd: q from the fixed image, k from the moving image, both (B, C, *S). */
    public static Result forward(Tensor q, Tensor k, int heads, int amp) {
        long c = q.size(1);
        if (c % heads != 0) throw new IllegalArgumentException("MoV: " + c + " channels not divisible by " + heads + " heads");
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor qs = q.detach().mul(Ops.s(Math.pow(c / heads, -0.5)));
            Tensor kd = k.detach();
            // Neighbours outside the image get logit -1000 exactly, as in the reference's masked assignment.
            Tensor logits = LocalCorrelation.forward(qs, kd, heads, amp); // (B, N, heads, *S)
            Tensor attn;
            if (LocalCorrelation.cpuFloat(logits)) {
                // In place: libtorch's CPU softmax reads each element before it writes it (bitwise the same as a
                // fresh output, checked by LocalCorrelationTest), and a second K^nd·S tensor costs its first touch.
                // The returned reference wraps the same tensor without owning it: not closed.
                torch.softmax_out(logits, logits, 1);
                attn = logits;
            } else {
                attn = Ops.softmax(logits, 1);
                Ops.release(logits);
            }
            Tensor out = LocalCorrelation.mixture(attn, heads, amp); // (1/h) Σ_n v_n Σ_j attn[n, j]
            return new Result(out, attn, qs, kd, heads, amp);
        }
    }

    /** The gradients {dL/dq, dL/dk} of a loss L given {@code gout} = dL/d(out) for the evaluation {@code r}. */
    public static Tensor[] backward(Result r, Tensor gout) {
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor[] grads = LocalCorrelation.backwardThroughSoftmax(r.attn(), r.out(), gout, r.scaledQuery(), r.key(),
                    r.heads(), r.amp());
            long c = r.key().size(1);
            grads[0].mul_(Ops.s(Math.pow(c / r.heads(), -0.5))); // through q's scaling
            return grads;
        }
    }
}
