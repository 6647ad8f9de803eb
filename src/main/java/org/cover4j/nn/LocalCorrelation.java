package org.cover4j.nn;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;

/**
 * The local correlation of MoV (SPEC §4): for every position p and offset v_n of the (2·amp+1)^nd window, the
 * dot product per head of the query at p with the key at p + v_n, and its gradients; also MoV's mixture of the
 * offsets by the softmax weights and the gradient through that softmax and the correlation together. Pure
 * functions of tensors without autograd (MoV stages its own); call them on inputs that do not require grad.
 *
 * <p>CPU float32 inputs go through fused plain-Java loops ({@link LocalCorrelationKernel}): one pass over the
 * data per call instead of three tensor operations (and their temporaries) per offset, and no BLAS call (whose
 * spinning threads would take the cores from libtorch's). Any other device or type goes through tensor operations
 * with the same semantics, one offset at a time over the in-image region only.
 */
public final class LocalCorrelation {
    /** Copied into Java arrays only below this many values (int indexing); larger inputs use tensor operations. */
    private static final long MAX_JAVA_VALUES = Integer.MAX_VALUE - 16;

    private LocalCorrelation() {}

    /**
     * logits, shape (B, N, heads, *S) with N = (2amp+1)^nd, offsets v_n in {@link MoV#templates} order:
     * {@code logits[b,n,j,p] = Σ_{c : c % heads == j} q[b,c,p]·k[b,c,p+v_n]} when p+v_n lies inside the image,
     * exactly -1000 otherwise. q, k: (B, C, *S), nd = 2 or 3, C divisible by heads (heads are interleaved).
     */
    public static Tensor forward(Tensor q, Tensor k, int heads, int amp) {
        check(q, k, heads, amp);
        return onJavaKernel(q, k) ? forwardJava(q, k, heads, amp) : forwardTorch(q, k, heads, amp);
    }

    /**
     * The gradients of Σ g·logits with respect to q and k, g shaped (B, N, heads, *S):
     * {@code gq[b,c,p] = Σ_n g[b,n,c%heads,p]·k[b,c,p+v_n]} and {@code gk[b,c,r] = Σ_n g[b,n,c%heads,r−v_n]·q[b,c,r−v_n]},
     * over in-image pairs only. Returns {gq, gk}, shaped as q and k.
     */
    public static Tensor[] backward(Tensor g, Tensor q, Tensor k, int heads, int amp) {
        check(q, k, heads, amp);
        checkGrad(g, q, heads, amp);
        return onJavaKernel(q, k) && cpuFloat(g) ? backwardJava(g, q, k, heads, amp) : backwardTorch(g, q, k, heads, amp);
    }

    /**
     * MoV's output (B, nd, *S) from its softmax weights {@code attn} (B, N, heads, *S):
     * {@code out[b,d,p] = (1/heads) Σ_n v_n[d] Σ_j attn[b,n,j,p]}.
     */
    public static Tensor mixture(Tensor attn, int heads, int amp) {
        checkWeights(attn, heads, amp);
        return cpuFloat(attn) && attn.numel() / attn.size(1) <= MAX_JAVA_VALUES ? mixtureJava(attn, heads, amp)
                : mixtureTorch(attn, heads, amp);
    }

    /**
     * The gradients {dL/dq, dL/dk} of a loss L through {@code attn = softmax(forward(q, k), dim 1)} and
     * {@link #mixture} given {@code gout} = dL/d(out), (B, nd, *S). On CPU float32 the logits' gradient
     * {@code attn·(a_n − Σ_m attn_m·a_m)}, a_n = (1/heads) Σ_d v_n[d]·gout[d], is formed row by row inside the
     * backward kernel instead of as three (B, N, heads, *S) tensors. {@code out}, if not null, must be
     * {@code mixture(attn, heads, amp)} unchanged: with one head Σ_n attn_n·a_n = Σ_d gout[d]·out[d], read from it
     * instead of from another pass over attn.
     */
    public static Tensor[] backwardThroughSoftmax(Tensor attn, Tensor out, Tensor gout, Tensor q, Tensor k, int heads, int amp) {
        check(q, k, heads, amp);
        checkShape("softmax weights", attn, logitShape(q, heads, amp));
        checkShape("output gradient", gout, mixtureShape(q.shape()));
        if (out != null) checkShape("output", out, mixtureShape(q.shape()));
        if (!(onJavaKernel(q, k) && cpuFloat(attn) && cpuFloat(gout))) return backwardThroughSoftmaxTorch(attn, gout, q, k, heads, amp);
        return backwardThroughSoftmaxJava(attn, out != null && cpuFloat(out) ? out : null, gout, q, k, heads, amp);
    }

    // ---------------------------------------------------------------- Java kernel (CPU float32)

    static Tensor forwardJava(Tensor q, Tensor k, int heads, int amp) {
        LocalCorrelationKernel.Geometry geo = geometry(q, heads, amp);
        float[] qa = Tensors.toArray(q);
        float[] ka = Tensors.toArray(k);
        Tensor out = emptyFloat(logitShape(q, heads, amp));
        if (out.numel() > 0) {
            LocalCorrelationKernel.forward(geo, qa, ka, pointer(out), torch.get_num_threads());
        }
        return out;
    }

    static Tensor[] backwardJava(Tensor g, Tensor q, Tensor k, int heads, int amp) {
        LocalCorrelationKernel.Geometry geo = geometry(q, heads, amp);
        float[] qa = Tensors.toArray(q);
        float[] ka = Tensors.toArray(k);
        Tensor gq = emptyFloat(q.shape());
        Tensor gk = emptyFloat(k.shape());
        if (gq.numel() > 0) {
            // g is read a block's rows at a time from its own memory: a whole copy would be K^nd times q's size.
            Tensor gc = g.contiguous();
            try {
                LocalCorrelationKernel.backward(geo, pointer(gc), qa, ka, pointer(gq), pointer(gk), torch.get_num_threads());
            } finally {
                gc.close();
            }
        }
        return new Tensor[] {gq, gk};
    }

    static Tensor mixtureJava(Tensor attn, int heads, int amp) {
        int nd = (int) attn.dim() - 3;
        int[] spatial = new int[nd];
        for (int d = 0; d < nd; d++) spatial[d] = (int) attn.size(3 + d);
        // the geometry of q would be (B, nd, *S): its channel count is not used by the mixture
        LocalCorrelationKernel.Geometry geo = new LocalCorrelationKernel.Geometry((int) attn.size(0), nd, spatial, heads, amp);
        Tensor out = emptyFloat(mixtureShape(attn.size(0), spatial));
        if (out.numel() > 0) {
            Tensor ac = attn.contiguous();
            try {
                LocalCorrelationKernel.mixture(geo, pointer(ac), pointer(out), torch.get_num_threads());
            } finally {
                ac.close();
            }
        }
        return out;
    }

    static Tensor[] backwardThroughSoftmaxJava(Tensor attn, Tensor out, Tensor gout, Tensor q, Tensor k, int heads, int amp) {
        LocalCorrelationKernel.Geometry geo = geometry(q, heads, amp);
        float[] qa = Tensors.toArray(q);
        float[] ka = Tensors.toArray(k);
        float[] ga = Tensors.toArray(gout);
        float[] oa = out != null && heads == 1 ? Tensors.toArray(out) : null;
        Tensor gq = emptyFloat(q.shape());
        Tensor gk = emptyFloat(k.shape());
        if (gq.numel() > 0) {
            Tensor ac = attn.contiguous(); // read a block's rows at a time, as the gradient in backwardJava
            try {
                LocalCorrelationKernel.backwardThroughSoftmax(geo, pointer(ac), ga, oa, qa, ka, pointer(gq), pointer(gk),
                        torch.get_num_threads());
            } finally {
                ac.close();
            }
        }
        return new Tensor[] {gq, gk};
    }

    private static LocalCorrelationKernel.Geometry geometry(Tensor q, int heads, int amp) {
        int nd = (int) q.dim() - 2;
        int[] spatial = new int[nd];
        for (int d = 0; d < nd; d++) spatial[d] = (int) q.size(2 + d);
        return new LocalCorrelationKernel.Geometry((int) q.size(0), (int) q.size(1), spatial, heads, amp);
    }

    private static FloatPointer pointer(Tensor contiguous) {
        return new FloatPointer(contiguous.data_ptr()).capacity(contiguous.numel());
    }

    private static Tensor emptyFloat(long[] shape) {
        try (TensorOptions options = new TensorOptions(torch.ScalarType.Float)) { // on the CPU
            return torch.empty(shape, options, new MemoryFormatOptional());
        }
    }

    // ---------------------------------------------------------------- tensor operations (any device and type)

    static Tensor forwardTorch(Tensor q, Tensor k, int heads, int amp) {
        Tensor out;
        try (TensorOptions options = q.options()) {
            out = torch.full(logitShape(q, heads, amp), Ops.s(LocalCorrelationKernel.OUTSIDE), options);
        }
        Region region = new Region(q, heads, amp);
        ScalarTypeOptional keepType = new ScalarTypeOptional();
        for (int n = 0; n < region.offsets; n++) {
            if (!region.select(n)) continue;
            Tensor qv = region.at(q, false);
            Tensor kv = region.at(k, true);
            Tensor product = qv.mul(kv);
            Tensor perHead = product.view(region.headView());
            Tensor dot = perHead.sum(new long[] {1}, false, keepType);
            Tensor slot = out.select(1, n);
            Tensor dst = region.at(slot, false);
            dst.copy_(dot);
            Ops.release(qv, kv, product, perHead, dot, slot, dst);
        }
        return out;
    }

    static Tensor[] backwardTorch(Tensor g, Tensor q, Tensor k, int heads, int amp) {
        Tensor gq;
        Tensor gk;
        try (TensorOptions options = q.options()) {
            gq = torch.zeros(q.shape(), options);
            gk = torch.zeros(k.shape(), options);
        }
        Region region = new Region(q, heads, amp);
        for (int n = 0; n < region.offsets; n++) {
            if (!region.select(n)) continue;
            long[] view = region.headView();
            Tensor slot = g.select(1, n);
            Tensor gn = region.at(slot, false);
            Tensor gHead = gn.unsqueeze(1); // (B, 1, heads, *R): broadcast over each head's channels
            Tensor qv = region.at(q, false);
            Tensor kv = region.at(k, true);
            Tensor gqv = region.at(gq, false);
            Tensor gkv = region.at(gk, true);
            Tensor qh = qv.view(view), kh = kv.view(view), gqh = gqv.view(view), gkh = gkv.view(view);
            gqh.addcmul_(gHead, kh); // in-place: the returned alias is not kept
            gkh.addcmul_(gHead, qh);
            Ops.release(slot, gn, gHead, qv, kv, gqv, gkv, qh, kh, gqh, gkh);
        }
        return new Tensor[] {gq, gk};
    }

    static Tensor mixtureTorch(Tensor attn, int heads, int amp) {
        int nd = (int) attn.dim() - 3;
        long b = attn.size(0);
        int n = (int) attn.size(1);
        long positions = attn.numel() / (b * n * heads);
        // With one head the sum over heads is the identity: a view instead of a K^nd·S copy.
        Tensor perPosition = heads == 1 ? attn.view(b, n, positions)
                : attn.sum(new long[] {2}, false, new ScalarTypeOptional()).reshape(b, n, positions);
        Tensor templT = valuesLike(attn, transpose(MoV.templates(nd, amp), n, nd), nd, n);
        Tensor summed = torch.matmul(templT, perPosition);
        long[] spatial = new long[nd];
        for (int d = 0; d < nd; d++) spatial[d] = attn.size(3 + d);
        Tensor out = summed.div_(Ops.s(heads)).view(mixtureShape(b, spatial));
        Ops.release(perPosition, templT);
        return out;
    }

    /** The softmax's backward as tensor operations, then {@link #backward}. */
    static Tensor[] backwardThroughSoftmaxTorch(Tensor attn, Tensor gout, Tensor q, Tensor k, int heads, int amp) {
        int nd = (int) gout.dim() - 2;
        long b = attn.size(0);
        int n = (int) attn.size(1);
        long positions = attn.numel() / (b * n * heads);
        // d out / d attn[n, j] = v_n / h for every head j; then the softmax's own backward over n.
        Tensor templ = valuesLike(gout, MoV.templates(nd, amp), n, nd);
        Tensor gattn = torch.matmul(templ, gout.reshape(b, nd, positions)).div_(Ops.s(heads));
        long[] perHead = attn.sizes().vec().get();
        perHead[2] = 1;
        Tensor gattnView = gattn.view(perHead);
        Tensor glogits = attn.mul(gattnView);
        Tensor dot = glogits.sum(new long[] {1}, true, new ScalarTypeOptional());
        glogits.addcmul_(attn, dot, Ops.s(-1.0));
        Ops.release(templ, gattn, gattnView, dot);
        try {
            return backward(glogits, q, k, heads, amp);
        } finally {
            glogits.close();
        }
    }

    /** A tensor of the given values on the device and of the type of {@code like}. */
    private static Tensor valuesLike(Tensor like, float[] values, long... shape) {
        Tensor cpu = Tensors.of(values, shape);
        try (Device device = like.device()) {
            return cpu.to(device, like.scalar_type());
        } finally {
            cpu.close();
        }
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return t;
    }

    /**
     * The in-image region of one offset: positions p with p + v_n inside, as narrowed views of a (B, *, *S) tensor
     * at p ({@code shifted == false}) or at p + v_n.
     */
    private static final class Region {
        final int nd, offsets, heads;
        final long batch, channels;
        final long[] spatial;
        final float[] templates;
        final long[] start = new long[3], shiftedStart = new long[3], length = new long[3];

        Region(Tensor q, int heads, int amp) {
            nd = (int) q.dim() - 2;
            batch = q.size(0);
            channels = q.size(1);
            this.heads = heads;
            spatial = new long[nd];
            for (int d = 0; d < nd; d++) spatial[d] = q.size(2 + d);
            templates = MoV.templates(nd, amp);
            offsets = templates.length / nd;
        }

        /** Selects offset n; false when no position has its neighbour inside the image. */
        boolean select(int n) {
            for (int d = 0; d < nd; d++) {
                long v = (long) templates[n * nd + d];
                start[d] = Math.max(0, -v);
                shiftedStart[d] = start[d] + v;
                length[d] = spatial[d] - Math.abs(v);
                if (length[d] <= 0) return false;
            }
            return true;
        }

        Tensor at(Tensor t, boolean shifted) {
            Tensor view = t;
            for (int d = 0; d < nd; d++) {
                Tensor next = view.narrow(2 + d, shifted ? shiftedStart[d] : start[d], length[d]);
                if (view != t) view.close();
                view = next;
            }
            return view;
        }

        /** (B, C/heads, heads, *R): channel c is head c % heads (interleaved heads). */
        long[] headView() {
            long[] v = new long[3 + nd];
            v[0] = batch;
            v[1] = channels / heads;
            v[2] = heads;
            System.arraycopy(length, 0, v, 3, nd);
            return v;
        }
    }

    // ---------------------------------------------------------------- shapes and dispatch

    private static long[] logitShape(Tensor q, int heads, int amp) {
        int nd = (int) q.dim() - 2;
        long[] shape = new long[3 + nd];
        shape[0] = q.size(0);
        shape[1] = (long) Math.pow(2 * amp + 1, nd);
        shape[2] = heads;
        for (int d = 0; d < nd; d++) shape[3 + d] = q.size(2 + d);
        return shape;
    }

    private static long[] mixtureShape(long[] qShape) {
        long[] spatial = java.util.Arrays.copyOfRange(qShape, 2, qShape.length);
        return mixtureShape(qShape[0], spatial);
    }

    private static long[] mixtureShape(long batch, long[] spatial) {
        long[] shape = new long[2 + spatial.length];
        shape[0] = batch;
        shape[1] = spatial.length;
        System.arraycopy(spatial, 0, shape, 2, spatial.length);
        return shape;
    }

    private static long[] mixtureShape(long batch, int[] spatial) {
        return mixtureShape(batch, java.util.Arrays.stream(spatial).asLongStream().toArray());
    }

    /** CPU float32 q and k small enough for Java arrays (g is read in place, so it may be of any size). */
    private static boolean onJavaKernel(Tensor q, Tensor k) {
        return q.numel() <= MAX_JAVA_VALUES && cpuFloat(q) && cpuFloat(k);
    }

    static boolean cpuFloat(Tensor t) {
        // JavaCPP returns a fresh enum object: only its interned constant compares with ==.
        if (t.scalar_type().intern() != torch.ScalarType.Float) return false;
        try (Device d = t.device()) {
            return d.is_cpu();
        }
    }

    private static void check(Tensor q, Tensor k, int heads, int amp) {
        long nd = q.dim() - 2;
        if (nd != 2 && nd != 3) {
            throw new IllegalArgumentException("LocalCorrelation: expected q of shape (B, C, *S) with 2 or 3 spatial axes, got "
                    + java.util.Arrays.toString(q.shape()));
        }
        if (!java.util.Arrays.equals(q.shape(), k.shape())) {
            throw new IllegalArgumentException("LocalCorrelation: q " + java.util.Arrays.toString(q.shape())
                    + " and k " + java.util.Arrays.toString(k.shape()) + " differ in shape");
        }
        if (heads < 1 || q.size(1) % heads != 0) {
            throw new IllegalArgumentException("LocalCorrelation: " + q.size(1) + " channels not divisible by " + heads + " heads");
        }
        if (amp < 0) throw new IllegalArgumentException("LocalCorrelation: amp must be >= 0, got " + amp);
    }

    private static void checkGrad(Tensor g, Tensor q, int heads, int amp) {
        checkShape("gradient", g, logitShape(q, heads, amp));
    }

    private static void checkShape(String what, Tensor t, long[] expected) {
        if (!java.util.Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException("LocalCorrelation: " + what + " of shape " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(expected));
        }
    }

    /** attn (B, (2amp+1)^nd, heads, *S) with nd = 2 or 3. */
    private static void checkWeights(Tensor attn, int heads, int amp) {
        long nd = attn.dim() - 3;
        if (nd != 2 && nd != 3 || amp < 0 || attn.size(1) != (long) Math.pow(2 * amp + 1, nd) || attn.size(2) != heads) {
            throw new IllegalArgumentException("LocalCorrelation: softmax weights of shape " + java.util.Arrays.toString(attn.shape())
                    + ", expected (B, " + (2 * amp + 1) + "^nd, " + heads + ", *S) with nd = 2 or 3");
        }
    }
}
