package org.cover4j.nn;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;

/**
 * Mixture of Vectors (SPEC §4): for each fixed-image position, a softmax over the similarities to the
 * moving features in a (2·amp+1)^nd window weights the window's offset vectors; the weighted sum is a
 * displacement. No learnable parameters.
 *
 * <p>MoV is computed outside autograd, with its gradient written out by hand ({@link #backward}): the local
 * correlation is one fused pass ({@link LocalCorrelation}) instead of K^nd shifted products whose autograd
 * graph allocates a full-size gradient per offset; the backward pass needs only the queries, the keys and the softmax
 * weights (which a caller may drop and have recomputed, {@link Result#withoutWeights}). On CPU float32 the mixture
 * and the gradient through the softmax are fused Java loops too: the softmax runs in place on the logits, which are
 * the only (B, K^nd, heads, *S) tensor, and no BLAS is called. {@code CoverModel} stitches the hand-written gradient
 * into the rest of the step.
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
     * A MoV evaluation: its output (B, nd, *S), the softmax weights {@code attn} (B, K^nd, heads, *S; null once
     * {@link #withoutWeights dropped}), and the scaled queries and keys the gradient needs. Close it when the backward
     * pass is done with it.
     */
    public record Result(Tensor out, Tensor attn, Tensor scaledQuery, Tensor key, int heads, int amp) implements AutoCloseable {
        /**
         * This evaluation without its softmax weights, which {@link #backward} then computes again: the weights are
         * K^nd times the size of the queries (125 MiB at 3D 64³, the largest tensor of a step), and recomputing them
         * costs one local correlation and softmax, a few percent of the step.
         */
        public Result withoutWeights() {
            Ops.release(attn);
            return new Result(out, null, scaledQuery, key, heads, amp);
        }

        @Override
        public void close() {
            Ops.release(attn, scaledQuery, key);
        }
    }

    /** {@code MoV(q, k)} without autograd: q from the fixed image, k from the moving image, both (B, C, *S). */
    public static Result forward(Tensor q, Tensor k, int heads, int amp) {
        long c = q.size(1);
        if (c % heads != 0) throw new IllegalArgumentException("MoV: " + c + " channels not divisible by " + heads + " heads");
        try (NoGradGuard g = new NoGradGuard(); Profiler.Section p = Profiler.section("mov fwd", q)) {
            Tensor qs = q.detach().mul(Ops.s(Math.pow(c / heads, -0.5)));
            Tensor kd = k.detach();
            Tensor attn = weights(qs, kd, heads, amp);
            Tensor out;
            try (Profiler.Section m = Profiler.section("mov mixture fwd", q)) {
                out = LocalCorrelation.mixture(attn, heads, amp); // (1/h) Σ_n v_n Σ_j attn[n, j]
            }
            return new Result(out, attn, qs, kd, heads, amp);
        }
    }

    /** The softmax weights (B, K^nd, heads, *S) of the scaled queries {@code qs} against the keys {@code k}. */
    private static Tensor weights(Tensor qs, Tensor k, int heads, int amp) {
        // Neighbours outside the image get logit -1000 exactly, as in the reference's masked assignment.
        Tensor logits;
        try (Profiler.Section p = Profiler.section("mov correlation+softmax", qs)) {
            logits = LocalCorrelation.forward(qs, k, heads, amp); // (B, N, heads, *S)
        }
        if (!LocalCorrelation.cpuFloat(logits)) {
            Tensor attn = Ops.softmax(logits, 1);
            Ops.release(logits);
            return attn;
        }
        // In place: libtorch's CPU softmax reads each element before it writes it (bitwise the same as a fresh
        // output, checked by LocalCorrelationTest), and a second K^nd·S tensor costs its first touch. The returned
        // reference wraps the same tensor without owning it: not closed.
        try (Profiler.Section p = Profiler.section("mov correlation+softmax", qs)) {
            torch.softmax_out(logits, logits, 1);
        }
        return logits;
    }

    /**
     * The gradients {dL/dq, dL/dk} of a loss L given {@code gout} = dL/d(out) for the evaluation {@code r} (its weights
     * computed again if they were dropped: the same kernels on the same inputs, so the same values).
     */
    public static Tensor[] backward(Result r, Tensor gout) {
        try (NoGradGuard g = new NoGradGuard(); Profiler.Section p = Profiler.section("mov bwd", r.key())) {
            Tensor attn;
            try (Profiler.Section w = Profiler.section("mov bwd: weights recompute", r.key())) {
                attn = r.attn() != null ? r.attn() : weights(r.scaledQuery(), r.key(), r.heads(), r.amp());
            }
            Tensor[] grads = LocalCorrelation.backwardThroughSoftmax(attn, r.out(), gout, r.scaledQuery(), r.key(),
                    r.heads(), r.amp());
            if (attn != r.attn()) Ops.release(attn);
            long c = r.key().size(1);
            grads[0].mul_(Ops.s(Math.pow(c / r.heads(), -0.5))); // through q's scaling
            return grads;
        }
    }
}
