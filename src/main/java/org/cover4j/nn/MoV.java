package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;

/**
 * Mixture of Vectors (SPEC §4): for each fixed-image position, a softmax over the similarities to the
 * moving features in a (2·amp+1)^nd window weights the window's offset vectors; the weighted sum is a
 * displacement. No learnable parameters.
 *
 * <p>The local correlation is computed as K^nd shifted views of the zero-padded keys, each one fused
 * multiply-and-reduce over the head channels — no copies of shifted tensors and no masked assignment,
 * which is what makes the 3D version cheap compared with the reference's 125-slice Python loop.
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

    /** {@code out = MoV(q, k)}: q from the fixed image, k from the moving image, both (B, C, *S). */
    public static Tensor apply(Tensor q, Tensor k, int heads, int amp) {
        return apply(q, k, heads, amp, null);
    }

    /**
     * As {@link #apply(Tensor, Tensor, int, int)}; when {@code attnOut} is a one-element array it receives the
     * softmax weights {@code (B, K^nd, heads, *S)} (for parity tests).
     */
    public static Tensor apply(Tensor q, Tensor k, int heads, int amp, Tensor[] attnOut) {
        int nd = (int) q.dim() - 2;
        long b = q.size(0);
        long c = q.size(1);
        if (c % heads != 0) throw new IllegalArgumentException("MoV: " + c + " channels not divisible by " + heads + " heads");
        long headDim = c / heads;
        long[] spatial = new long[nd];
        for (int d = 0; d < nd; d++) spatial[d] = q.size(2 + d);

        // Heads are interleaved: channel c belongs to head c % heads, component c / heads (reshape (B, d, h, ...)).
        long[] headView = new long[3 + nd];
        headView[0] = b;
        headView[1] = headDim;
        headView[2] = heads;
        System.arraycopy(spatial, 0, headView, 3, nd);
        Tensor qs = q.mul(Ops.s(Math.pow(headDim, -0.5)));
        long[] pad = new long[2 * nd];
        java.util.Arrays.fill(pad, amp);
        Tensor kp = torch.constant_pad_nd(k, pad);

        // Neighbours outside the image must get logit -1000 exactly (SPEC §4): their padded keys give a
        // dot product of exactly 0, to which a bias of -1000 (0 inside) is added. The bias is a shifted
        // view of one small padded tensor, so no (N, *S) mask is ever built.
        long[] onesShape = new long[2 + nd];
        java.util.Arrays.fill(onesShape, 1);
        System.arraycopy(spatial, 0, onesShape, 2, nd);
        Tensor biasPad = torch.constant_pad_nd(torch.ones(onesShape, q.options()), pad)
                .sub(Ops.s(1.0)).mul(Ops.s(1000.0));

        float[] tmpl = templates(nd, amp);
        int n = tmpl.length / nd;
        Tensor[] logits = new Tensor[n];
        org.bytedeco.pytorch.ScalarTypeOptional keepType = new org.bytedeco.pytorch.ScalarTypeOptional();
        for (int i = 0; i < n; i++) {
            Tensor shifted = kp;
            Tensor bias = biasPad;
            for (int d = 0; d < nd; d++) {
                long start = amp + (long) tmpl[i * nd + d];
                shifted = shifted.narrow(2 + d, start, spatial[d]);
                bias = bias.narrow(2 + d, start, spatial[d]);
            }
            Tensor product = qs.mul(shifted);
            Tensor perHead = product.view(headView);
            Tensor dot = perHead.sum(new long[] {1}, false, keepType);
            logits[i] = dot.add(bias);
            Ops.release(product, perHead, dot);
            if (shifted != kp) Ops.release(shifted);
            if (bias != biasPad) Ops.release(bias);
        }
        Tensor masked = Ops.stack(1, logits); // (B, N, heads, *S)
        Ops.release(logits);
        Tensor attn = Ops.softmax(masked, 1);
        Ops.release(masked);
        if (attnOut != null) attnOut[0] = attn;

        // out[b, d, p] = (1/h) Σ_n v_n[d] Σ_j attn[b, n, j, p]
        long positions = 1;
        for (long s : spatial) positions *= s;
        // With one head the sum over heads is the identity: a view instead of a K^nd·S copy.
        Tensor perPosition = heads == 1 ? attn.view(b, n, positions)
                : attn.sum(new long[] {2}, false, keepType).reshape(b, n, positions);
        Tensor templT = Tensors.of(transpose(tmpl, n, nd), q.device(), nd, n);
        Tensor summed = torch.matmul(templT, perPosition);
        Tensor out = summed.div(Ops.s(heads));
        Ops.release(perPosition, summed, kp, biasPad, qs);
        if (attnOut == null) Ops.release(attn);
        long[] outShape = new long[2 + nd];
        outShape[0] = b;
        outShape[1] = nd;
        System.arraycopy(spatial, 0, outShape, 2, nd);
        return out.view(outShape);
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }
}
