package org.cover4j.nn;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;

/**
 * Mixture of Vectors (SPEC §4): for each fixed-image position, a softmax over the similarities to the
 * moving features in a (2·amp+1)^nd window weights the window's offset vectors; the weighted sum is a
 * displacement. No learnable parameters.
 *
 * <p>MoV is computed outside autograd, with its gradient written out by hand ({@link #backward}): the local
 * correlation is one fused pass ({@link LocalCorrelation}) instead of K^nd shifted products whose autograd
 * graph allocates a full-size gradient per offset, and only the softmax weights are kept for the backward
 * pass. {@code CoverModel} stitches the hand-written gradient into the rest of the step.
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
        int nd = (int) q.dim() - 2;
        long c = q.size(1);
        if (c % heads != 0) throw new IllegalArgumentException("MoV: " + c + " channels not divisible by " + heads + " heads");
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor qs = q.detach().mul(Ops.s(Math.pow(c / heads, -0.5)));
            Tensor kd = k.detach();
            // Neighbours outside the image get logit -1000 exactly, as in the reference's masked assignment.
            Tensor logits = LocalCorrelation.forward(qs, kd, heads, amp); // (B, N, heads, *S)
            Tensor attn = Ops.softmax(logits, 1);
            Ops.release(logits);
            // out[b, d, p] = (1/h) Σ_n v_n[d] Σ_j attn[b, n, j, p]
            long b = q.size(0);
            int n = (int) attn.size(1);
            long positions = attn.numel() / (b * n * heads);
            // With one head the sum over heads is the identity: a view instead of a K^nd·S copy.
            Tensor perPosition = heads == 1 ? attn.view(b, n, positions)
                    : attn.sum(new long[] {2}, false, new ScalarTypeOptional()).reshape(b, n, positions);
            Tensor templT = Tensors.of(transpose(templates(nd, amp), n, nd), q.device(), nd, n);
            Tensor summed = torch.matmul(templT, perPosition);
            Tensor out = summed.div_(Ops.s(heads)).view(outShape(q, nd));
            Ops.release(perPosition, templT);
            return new Result(out, attn, qs, kd, heads, amp);
        }
    }

    /** The gradients {dL/dq, dL/dk} of a loss L given {@code gout} = dL/d(out) for the evaluation {@code r}. */
    public static Tensor[] backward(Result r, Tensor gout) {
        Tensor attn = r.attn();
        int nd = (int) gout.dim() - 2;
        long b = attn.size(0);
        int n = (int) attn.size(1);
        long positions = attn.numel() / (b * n * r.heads());
        try (NoGradGuard g = new NoGradGuard()) {
            // d out / d attn[n, j] = v_n / h for every head j; then the softmax's own backward over n.
            Tensor templ = Tensors.of(templates(nd, r.amp()), gout.device(), n, nd);
            Tensor gattn = torch.matmul(templ, gout.reshape(b, nd, positions)).div_(Ops.s(r.heads()));
            long[] perHead = attn.sizes().vec().get();
            perHead[2] = 1;
            Tensor gattnView = gattn.view(perHead);
            Tensor glogits = attn.mul(gattnView);
            Tensor dot = glogits.sum(new long[] {1}, true, new ScalarTypeOptional());
            glogits.addcmul_(attn, dot, Ops.s(-1.0));
            Tensor[] grads = LocalCorrelation.backward(glogits, r.scaledQuery(), r.key(), r.heads(), r.amp());
            long c = r.key().size(1);
            grads[0].mul_(Ops.s(Math.pow(c / r.heads(), -0.5)));
            Ops.release(templ, gattn, gattnView, glogits, dot);
            return grads;
        }
    }

    private static long[] outShape(Tensor q, int nd) {
        long[] shape = new long[2 + nd];
        shape[0] = q.size(0);
        shape[1] = nd;
        for (int d = 0; d < nd; d++) shape[2 + d] = q.size(2 + d);
        return shape;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }
}
