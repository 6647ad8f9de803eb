package org.cover4j.torch;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The tensor operations the networks use, each for 2D and 3D inputs alike (the dimension is read from
 * the input), hiding JavaCPP's overloads. Inputs are {@code (B, C, *spatial)} float32 tensors.
 */
public final class Ops {
    private Ops() {}

    public static Scalar s(double v) {
        return new Scalar(v);
    }

    /** {@code n} copies of {@code v}: a kernel size, stride or padding for every spatial axis. */
    public static long[] repeat(long v, int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /**
     * The same values in channels-last layout (NHWC / NDHWC) for 4-D and 5-D tensors; others unchanged.
     * oneDNN convolutions run in this layout: with the default layout every convolution reorders its
     * input, output and gradients (measured: conv-GroupNorm-conv at 64³ is 1.5× faster channels-last).
     * GroupNorm, pooling, upsampling and concatenation keep the layout, so converting the network input
     * and the kernels once is enough.
     */
    public static Tensor channelsLast(Tensor x) {
        long d = x.dim();
        if (d == 4) return x.contiguous(torch.MemoryFormat.ChannelsLast);
        if (d == 5) return x.contiguous(torch.MemoryFormat.ChannelsLast3d);
        return x;
    }

    /**
     * Convolution with a cubic kernel, stride 1, "same" zero padding (kernel size 1 or 3), computed in the
     * {@link Precision#current() current precision}; the result has {@code x}'s element type (float32 for float32
     * inputs, as under autocast; a bfloat16 input, as the U-Net's hand-written pass keeps, stays bfloat16).
     */
    public static Tensor conv(Tensor x, Tensor weight, Tensor bias) {
        Tensor xc = Precision.forConvolution(x, x, weight);
        Tensor wc = Precision.forConvolution(weight, x, weight);
        Tensor bc = Precision.forConvolution(bias, x, weight);
        Tensor y = convolve(xc, wc, bc, 1, (weight.size(2) - 1) / 2, 1);
        releaseCasts(x, xc, weight, wc, bias, bc);
        return sameType(y, x);
    }

    /**
     * A 2D convolution with any stride, zero padding and groups, in the operands' own element type: the backbones'
     * strided, patch-embedding and grouped convolutions, in the layout {@link #convolutionLayout} chooses.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long stride, long pad, long groups) {
        if (x.dim() != 4) throw new IllegalArgumentException("conv2d: expected a 4-D input, got " + x.dim() + "-D");
        return convolve(x, weight, bias, stride, pad, groups);
    }

    /**
     * Every convolution of this project (2D or 3D) goes through here: the operands' own element type, cubic stride
     * and padding, and (without groups) the layout {@link #convolutionLayout} chooses.
     */
    static Tensor convolve(Tensor x, Tensor weight, Tensor bias, long stride, long pad, long groups) {
        int nd = Tensors.spatialDims(x);
        if (nd != 2 && nd != 3) throw new IllegalArgumentException("conv: expected a 4-D or 5-D input, got " + x.dim() + "-D");
        Tensor in = groups == 1 ? convolutionLayout(x, weight, stride) : x;
        TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias);
        Tensor y = nd == 2 ? torch.conv2d(in, weight, b, repeat(stride, 2), repeat(pad, 2), repeat(1, 2), groups)
                : torch.conv3d(in, weight, b, repeat(stride, 3), repeat(pad, 3), repeat(1, 3), groups);
        if (in != x) release(in); // autograd keeps what its backward needs
        return y;
    }

    /**
     * {@code x} in the layout a convolution with {@code weight} at {@code stride} is right in: oneDNN's kernels give
     * wrong results on some CPUs for two cases, measured on an "AMD EPYC" of family 26 against libtorch's float64
     * convolution (see {@link ConvolutionCheck}, which probes both at start-up):
     * <ul>
     * <li>a 1×1 convolution with stride 2 of a channels-last input (512 filters: the output off by half of its scale;
     * right on a contiguous input): such an input is made contiguous (the ResNet's downsampling, a small part of its
     * work);</li>
     * <li>a larger kernel on a contiguous (NCHW) input with fewer than 16 filters (float32 too), or in bfloat16 with
     * fewer than 16 input channels: the input gradient off by 60–100% of its scale, sometimes NaN (right channels-last,
     * but for one input channel): such an input goes channels-last (U-KAN's and TransUNet's convolutions; the U-Net
     * runs channels-last anyway).</li>
     * </ul>
     * Otherwise {@code x} itself.
     */
    static Tensor convolutionLayout(Tensor x, Tensor weight, long stride) {
        boolean channelsLast = isChannelsLast(x);
        if (stride > 1 && weight.size(2) == 1 && channelsLast) return x.contiguous();
        boolean narrow = weight.size(0) < 16 || weight.size(1) < 16 && x.scalar_type().intern() == torch.ScalarType.BFloat16;
        if (weight.size(2) > 1 && narrow && !channelsLast) return channelsLast(x);
        return x;
    }

    /**
     * Releases the handles made by {@link Precision} for an operation, given as (original, cast) pairs: those
     * that are new tensors (autograd keeps what its backward needs).
     */
    public static void releaseCasts(Tensor... pairs) {
        for (int i = 0; i < pairs.length; i += 2) if (pairs[i + 1] != pairs[i]) release(pairs[i + 1]);
    }

    /** {@code y} in {@code like}'s element type: {@code y} itself where it already is, else a new tensor (y released). */
    public static Tensor sameType(Tensor y, Tensor like) {
        if (y.scalar_type().intern() == like.scalar_type().intern()) return y;
        Tensor out = y.to(like.scalar_type());
        release(y);
        return out;
    }

    /** nn.GroupNorm's default epsilon. */
    public static final double GROUP_NORM_EPS = 1e-5;

    /** GroupNorm with affine weight and bias, eps 1e-5 (PyTorch's nn.GroupNorm). */
    public static Tensor groupNorm(Tensor x, long groups, Tensor weight, Tensor bias) {
        return torch.group_norm(x, groups, new TensorOptional(weight), new TensorOptional(bias), GROUP_NORM_EPS, true);
    }

    public static Tensor leakyRelu(Tensor x, double slope) {
        return torch.leaky_relu(x, s(slope));
    }

    /**
     * LeakyReLU overwriting {@code x}. Safe after GroupNorm, whose backward does not need its output; it saves
     * one activation-sized tensor per layer. The returned tensor is a non-owning alias of {@code x}: keep
     * using (and releasing) {@code x}.
     */
    public static Tensor leakyReluInPlace(Tensor x, double slope) {
        return torch.leaky_relu_(x, s(slope));
    }

    /**
     * Releases tensors now instead of at the end of the step scope. Autograd keeps its own references to what
     * backward needs, so this only frees temporaries nothing else uses — without it every intermediate of a
     * step (e.g. MoV's 125 shifted products in 3D, about 1 GiB) would stay alive until the scope closes.
     */
    public static void release(Tensor... ts) {
        for (Tensor t : ts) if (t != null) t.close();
    }

    /** Max pooling with kernel 2, stride 2. */
    public static Tensor maxPool2(Tensor x) {
        int nd = Tensors.spatialDims(x);
        if (nd == 2) return torch.max_pool2d(x, repeat(2, 2), repeat(2, 2), repeat(0, 2), repeat(1, 2), false);
        return torch.max_pool3d(x, repeat(2, 3), repeat(2, 3), repeat(0, 3), repeat(1, 3), false);
    }

    /**
     * Average pooling with kernel and stride {@code factor} on every spatial axis (each output is the mean of its
     * {@code factor^nd} block): the area downsampling that takes a field to a grid {@code factor} times coarser.
     */
    public static Tensor avgPool(Tensor x, int factor) {
        int nd = Tensors.spatialDims(x);
        long[] k = repeat(factor, nd);
        long[] pad = repeat(0, nd);
        if (nd == 2) return torch.avg_pool2d(x, k, k, pad, false, true, new LongOptional());
        if (nd == 3) return torch.avg_pool3d(x, k, k, pad, false, true, new LongOptional());
        throw new IllegalArgumentException("avgPool: expected a 4-D or 5-D input, got " + x.dim() + "-D");
    }

    /**
     * ×2 (bi/tri)linear upsampling. {@code alignCorners=false} is {@code nn.Upsample(scale_factor=2)}
     * (the U-Net decoder); {@code true} is the VPA flow upsampler (SPEC §1.3).
     */
    public static Tensor upsample2x(Tensor x, boolean alignCorners) {
        int nd = Tensors.spatialDims(x);
        long[] out = new long[nd];
        for (int d = 0; d < nd; d++) out[d] = 2 * x.size(2 + d);
        return upsampleTo(x, out, alignCorners);
    }

    /** (Bi/tri)linear resampling of (B, C, *S) to the spatial size {@code size}, as {@code F.interpolate(mode='(bi|tri)linear')}. */
    public static Tensor upsampleTo(Tensor x, long[] size, boolean alignCorners) {
        if (size.length == 2) return torch.upsample_bilinear2d(x, size, alignCorners);
        return torch.upsample_trilinear3d(x, size, alignCorners);
    }

    /** {@code grid_sample(src, grid, bilinear, zeros, align_corners=False)}; grid is (B, *S, nd) in x,y(,z) order. */
    public static Tensor gridSample(Tensor src, Tensor grid) {
        int parts = gridSampleParts(src, grid);
        if (parts == 1) return torch.grid_sampler(src, grid, 0, 0, false);
        // libtorch's 3D CPU grid sampler (forward and backward) parallelises over the batch only, so one volume runs
        // on one thread. Cutting the output grid into `parts` slabs along its first axis and presenting them as a
        // batch over the same source (a stride-0 expand, no copy) lets every thread sample its own slab. Each
        // output value is computed exactly as before; the source gradient is summed over the slabs.
        long c = src.size(1);
        long d = grid.size(1);
        Tensor shared = src.expand(new long[] {parts, c, src.size(2), src.size(3), src.size(4)});
        Tensor slabs = grid.view(parts, d / parts, grid.size(2), grid.size(3), 3);
        Tensor sampled = torch.grid_sampler(shared, slabs, 0, 0, false);
        Tensor out;
        if (isChannelsLast(src)) {
            // The slabs' (part, depth, height, width, channel) order is the whole volume's channels-last order: one
            // copy gives the output in the source's layout, which its consumers (the cosine against channels-last
            // features, the 1×1 projections) then read without strided access or another copy.
            Tensor moved = sampled.permute(0, 2, 3, 4, 1).contiguous();
            Tensor whole = moved.view(1, d, grid.size(2), grid.size(3), c);
            out = whole.permute(0, 4, 1, 2, 3);
            release(moved, whole);
        } else {
            out = sampled.transpose(0, 1).reshape(1, c, d, grid.size(2), grid.size(3));
        }
        release(shared, slabs, sampled);
        return out;
    }

    /** Whether {@code x} is laid out channels-last (and not also plainly contiguous, as a single channel is). */
    public static boolean isChannelsLast(Tensor x) {
        long dim = x.dim();
        if (dim != 4 && dim != 5 || x.is_contiguous()) return false;
        return x.is_contiguous(dim == 4 ? torch.MemoryFormat.ChannelsLast : torch.MemoryFormat.ChannelsLast3d);
    }

    /**
     * {@code x} in {@code like}'s layout (channels-last or contiguous): {@code x} itself where it is already, else a
     * copy. Element-wise products of two layouts run strided: at 32 × 64³ a product of a channels-last and a
     * contiguous map took 3.6 times as long as of two alike.
     */
    public static Tensor sameLayout(Tensor x, Tensor like) {
        if (isChannelsLast(like)) return isChannelsLast(x) ? x : channelsLast(x);
        return x.is_contiguous() ? x : x.contiguous();
    }

    /** How many slabs {@link #gridSample} cuts a 3D CPU sample into: the threads a single volume would leave idle. */
    private static int gridSampleParts(Tensor src, Tensor grid) {
        if (grid.dim() != 5 || src.size(0) != 1 || !src.device().is_cpu()) return 1;
        long d = grid.size(1);
        int parts = (int) Math.min(torch.get_num_threads(), d);
        while (parts > 1 && d % parts != 0) parts--;
        return parts;
    }

    /** {@code F.linear}: x·Wᵀ + b for x (N, in), W (out, in), b (out) or null, in the current precision as {@link #conv}. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Tensor xc = Precision.compute(x);
        Tensor wc = Precision.compute(weight);
        Tensor bc = Precision.compute(bias);
        Tensor y = bc == null ? torch.linear(xc, wc) : torch.linear(xc, wc, new TensorOptional(bc));
        releaseCasts(x, xc, weight, wc, bias, bc);
        return sameType(y, x);
    }

    /**
     * {@code F.batch_norm} in training mode on (N, C): normalised with the batch's mean and biased variance; the running
     * statistics are updated in place by libtorch (new = (1 - momentum)·old + momentum·batch, with the batch's unbiased
     * variance), as {@code nn.BatchNorm1d.train()} does. {@code weight} and {@code bias} may be null (affine=False).
     */
    public static Tensor batchNormTraining(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                           double momentum, double eps) {
        return torch.batch_norm(x, optional(weight), optional(bias), new TensorOptional(runningMean), new TensorOptional(runningVar),
                true, momentum, eps, false);
    }

    private static TensorOptional optional(Tensor t) {
        return t == null ? new TensorOptional() : new TensorOptional(t);
    }

    public static Tensor relu(Tensor x) {
        return torch.relu(x);
    }

    /** {@code F.layer_norm} over the last axis (size of {@code weight}), affine, with epsilon {@code eps}. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return torch.layer_norm(x, new long[] {weight.size(0)}, new TensorOptional(weight), new TensorOptional(bias), eps, true);
    }

    /** The exact (erf) GELU, {@code nn.GELU()} with its default {@code approximate='none'}. */
    public static Tensor gelu(Tensor x) {
        return torch.gelu(x);
    }

    /** The mean over every spatial axis of (B, C, *S): (B, C), {@code adaptive_avg_pool(1)} then flatten. */
    public static Tensor globalAveragePool(Tensor x) {
        long[] spatial = new long[Tensors.spatialDims(x)];
        for (int d = 0; d < spatial.length; d++) spatial[d] = 2 + d;
        return torch.mean(x, spatial);
    }

    /** {@code F.cosine_similarity(a, b, dim=1, eps=1e-8)} of (N, D) rows: (N). */
    public static Tensor rowCosine(Tensor a, Tensor b) {
        return torch.cosine_similarity(a, b, 1, 1e-8);
    }

    public static Tensor softmax(Tensor x, long dim) {
        return torch.softmax(x, dim);
    }

    /**
     * {@code torch.cat}. The vector handed to libtorch holds a reference to every part: it is closed at once, so that
     * releasing a part frees it (left to the step scope, every concatenated input lived until the end of the step).
     */
    public static Tensor cat(long dim, Tensor... parts) {
        try (TensorVector v = new TensorVector(parts)) {
            return torch.cat(v, dim);
        }
    }

    /** {@code torch.stack}; the parts' vector is closed at once, as in {@link #cat}. */
    public static Tensor stack(long dim, Tensor... parts) {
        try (TensorVector v = new TensorVector(parts)) {
            return torch.stack(v, dim);
        }
    }

    public static Tensor zeros(Tensor like, long... shape) {
        return torch.zeros(shape, like.options());
    }

    public static Tensor scalarTensor(double v, Tensor like) {
        return torch.full(new long[0], s(v), like.options());
    }
}
