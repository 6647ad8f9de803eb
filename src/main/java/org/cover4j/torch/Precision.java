package org.cover4j.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.util.CoverException;

import java.util.Locale;

/**
 * The arithmetic precision of convolutions and matrix products ({@code --precision}): {@link #FP32}, or {@link #BF16}
 * with the semantics of PyTorch's autocast as it runs on GPUs — convolutions and linear layers compute in bfloat16 and
 * hand back float32, while reductions, softmax, losses, GroupNorm (statistics and output), the warp's grid sampling,
 * MoV, the master weights, their gradients and the optimizer stay float32.
 *
 * <p>Why not libtorch's own CPU autocast ({@code at::autocast::set_autocast_enabled(kCPU, true)}, reachable through
 * JavaCPP): its CPU op lists differ from the GPU's — measured with libtorch 2.10, {@code group_norm} and {@code softmax}
 * given its bfloat16 conv outputs run and answer in bfloat16 (MoV's softmax would), only {@code grid_sampler} goes back
 * to float32; it caches cast weights until {@code clear_cache()}; and the U-Net's hand-written backward calls
 * {@code convolution_backward}, which autocast does not touch. Casting by hand in {@link Ops#conv} and
 * {@link Ops#linear} gives exactly the semantics above in both the autograd and the hand-written passes.
 *
 * <p>Process-wide, as the thread count is ({@link Torch#setThreads}): a command sets it once, before its first step.
 */
public enum Precision {
    FP32,
    BF16;

    private static volatile Precision current = FP32;

    /** The precision convolutions and linear layers compute in now. */
    public static Precision current() {
        return current;
    }

    /** Sets the process-wide precision; returns the previous one (for tests that restore it). */
    public static Precision set(Precision p) {
        Precision before = current;
        current = p;
        return before;
    }

    /** {@code fp32} or {@code bf16} (any case); {@code flag} names the option in the error. */
    public static Precision parse(String name, String flag) {
        if (name != null) {
            for (Precision p : values()) if (p.label().equalsIgnoreCase(name)) return p;
        }
        throw CoverException.usage(flag + " must be fp32 or bf16, got " + name);
    }

    /** The name on the command line and in checkpoints: {@code fp32} or {@code bf16}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The element type convolutions and matrix products compute in. */
    torch.ScalarType computeType() {
        return this == BF16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float;
    }

    /**
     * {@code t} in the current compute type: {@code t} itself (the same object) where it already is, or is not a
     * float32 or bfloat16 tensor (indices, masks); a new tensor otherwise. In fp32 nothing is ever converted.
     */
    public static Tensor compute(Tensor t) {
        return castFloating(t, current.computeType());
    }

    /**
     * {@code t} in the type a convolution of {@code input} with {@code weight} computes in (as {@link #compute}): the
     * current compute type, except float32 where libtorch 2.10's bfloat16 convolution is wrong on some CPUs, measured
     * on an "AMD EPYC" of family 26 (AVX-512 BF16; {@link ConvolutionCheck} probes these cases at start-up):
     * <ul>
     * <li>a 3D input whose first spatial axis is 2 long: the conv3d weight gradient is off (relative error ~1, sometimes
     * values of 1e35, in both memory layouts, any batch and channel count, whenever that axis is 2 — 2³, 2×4×4, 2×16×16
     * — and right for 1, 3, 4, … and for a 2 on the other axes; the forward and input gradient are right);</li>
     * <li>one input channel (per group), or fewer than 16 filters: the forward is off by a third of its scale or more
     * (2D and 3D; with 3×3 kernels at every input channel count in the default layout, at one in channels-last).</li>
     * </ul>
     * Such convolutions are tiny (the deepest level of a 32-voxel-deep crop, a network's first convolution of a
     * one-channel image, the heads): float32 costs next to nothing there.
     */
    public static Tensor forConvolution(Tensor t, Tensor input, Tensor weight) {
        return current.convolutionOperand(t, input, weight);
    }

    /** {@link #forConvolution} in this precision rather than the current one (for {@link ConvolutionCheck}'s probes). */
    Tensor convolutionOperand(Tensor t, Tensor input, Tensor weight) {
        boolean broken = this == BF16
                && (input.dim() == 5 && input.size(2) == 2 || weight.size(1) == 1 || weight.size(0) < 16);
        return castFloating(t, broken ? torch.ScalarType.Float : computeType());
    }

    /** {@code t} as float32: {@code t} itself where it already is (or is not floating point), a new tensor otherwise. */
    public static Tensor fp32(Tensor t) {
        return castFloating(t, torch.ScalarType.Float);
    }

    private static Tensor castFloating(Tensor t, torch.ScalarType type) {
        if (t == null || !t.defined()) return t;
        // JavaCPP hands out a new enum object per call: intern() gives the constant to compare with.
        torch.ScalarType have = t.scalar_type().intern();
        if (have == type || (have != torch.ScalarType.Float && have != torch.ScalarType.BFloat16)) return t;
        return t.to(type);
    }
}
