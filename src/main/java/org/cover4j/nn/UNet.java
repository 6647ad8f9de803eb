package org.cover4j.nn;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.List;
import java.util.Map;

/**
 * The reference's {@code UNet_base} (SPEC §2), 2D or 3D: DoubleConv = (conv3 → GroupNorm(C/8) → LeakyReLU
 * 0.2) × 2; four max-pool downs and four upsample-concat-DoubleConv ups (skip first in the concatenation,
 * align_corners=False upsampling). Parameter names match the reference's state_dict under {@code prefix}.
 */
public final class UNet implements Backbone {
    private static final String[] DOWN = {"down1", "down2", "down3", "down4"};
    private static final String[] UP = {"up1", "up2", "up3", "up4"};

    private final Params params;
    private final String prefix;
    private final int dims;
    private final int[] chs;

    /**
     * Registers the parameters in {@code params} (reference order) and initialises them as the
     * reference does: conv weights Kaiming-normal, conv biases U(±1/√fan_in), GroupNorm 1 and 0.
     */
    public UNet(Params params, String prefix, int dims, int inChannels, int[] chs, Rng rng) {
        if (chs.length != 9) throw new IllegalArgumentException("U-Net needs 9 channel counts, got " + chs.length);
        for (int c : chs) {
            if (c < 8 || c % 8 != 0) {
                throw new IllegalArgumentException("U-Net channel counts must be multiples of 8 (GroupNorm groups of 8), got " + c);
            }
        }
        this.params = params;
        this.prefix = prefix;
        this.dims = dims;
        this.chs = chs.clone();
        doubleConv(prefix + "inc.double_conv", inChannels, chs[0], rng);
        for (int i = 0; i < 4; i++) doubleConv(prefix + DOWN[i] + ".maxpool_conv.1.double_conv", chs[i], chs[i + 1], rng);
        int deeper = chs[4];
        for (int i = 0; i < 4; i++) {
            doubleConv(prefix + UP[i] + ".conv.double_conv", deeper + chs[3 - i], chs[5 + i], rng);
            deeper = chs[5 + i];
        }
    }

    private void doubleConv(String name, int in, int out, Rng rng) {
        conv(name + ".0", in, out, rng);
        norm(name + ".1", out);
        conv(name + ".3", out, out, rng);
        norm(name + ".4", out);
    }

    private void conv(String name, int in, int out, Rng rng) {
        long fanIn = (long) in * (long) Math.pow(3, dims);
        long[] shape = dims == 2 ? new long[] {out, in, 3, 3} : new long[] {out, in, 3, 3, 3};
        params.add(name + ".weight", Init.kaimingNormal(rng, (int) (out * fanIn), fanIn), shape);
        params.add(name + ".bias", Init.uniformFanIn(rng, out, fanIn), out);
    }

    private void norm(String name, int c) {
        params.add(name + ".weight", Init.constant(c, 1f), c);
        params.add(name + ".bias", Init.constant(c, 0f), c);
    }

    @Override
    public int dims() {
        return dims;
    }

    @Override
    public int[] levelChannels() {
        return new int[] {chs[8], chs[7], chs[6], chs[5], chs[4]};
    }

    @Override
    public List<Tensor> levels(Tensor x) {
        return levels(x, null);
    }

    /** As {@link #levels(Tensor)}; records every sub-module's output under its reference path when {@code trace} is given. */
    public List<Tensor> levels(Tensor x, Map<String, Tensor> trace) {
        Tensor x1 = doubleConvForward(Ops.channelsLast(x), "inc.double_conv", trace);
        record(trace, "inc", x1);
        Tensor[] down = encoder(x1, trace);
        Tensor deeper = down[4];
        Tensor[] up = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            up[i] = upBlock(i, down[3 - i], deeper, trace);
            // Wrappers of tensors no later code reads are released now (autograd keeps what backward needs), so
            // that a pass without gradients holds no more than a few activations at a time.
            if (trace == null) Ops.release(down[3 - i]);
            deeper = up[i];
        }
        return List.of(up[3], up[2], up[1], up[0], down[4]);
    }

    /**
     * The five levels as {@link #levels(Tensor)}, holding fewer activations: the two full-resolution blocks (the
     * first DoubleConv and the last up block, about half the arithmetic but two thirds of the activations autograd
     * keeps) run without gradients now and again, with gradients, during {@link Recomputed#backward}. The finest
     * level is a leaf; call {@code backward} with the gradients of all five levels instead of autograd.
     */
    public Recomputed levelsRecomputingFullResolution(Tensor x) {
        Tensor input = Ops.channelsLast(x);
        Tensor x1;
        try (NoGradGuard g = new NoGradGuard()) {
            x1 = doubleConvForward(input, "inc.double_conv", null);
        }
        Tensor x1Leaf = Autograd.leaf(x1);
        Tensor[] down = encoder(x1Leaf, null);
        Tensor deeper = down[4];
        Tensor[] up = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            up[i] = upBlock(i, down[3 - i], deeper, null);
            Ops.release(down[3 - i]);
            deeper = up[i];
        }
        Tensor finest;
        try (NoGradGuard g = new NoGradGuard()) {
            finest = upBlock(3, x1Leaf, up[2], null);
        }
        return new Recomputed(input, x1Leaf, Autograd.leaf(finest), up[2], up[1], up[0], down[4]);
    }

    /** The levels of {@link #levelsRecomputingFullResolution} and the backward pass that recomputes its blocks. */
    public final class Recomputed {
        private final Tensor input;
        private final Tensor x1Leaf;
        private final List<Tensor> levels;

        private Recomputed(Tensor input, Tensor x1Leaf, Tensor finest, Tensor up3, Tensor up2, Tensor up1, Tensor down4) {
            this.input = input;
            this.x1Leaf = x1Leaf;
            this.levels = List.of(finest, up3, up2, up1, down4);
        }

        /** The five levels, finest first; the finest is a leaf (its gradient goes to {@link #backward}). */
        public List<Tensor> levels() {
            return levels;
        }

        /**
         * Adds the gradients of the parameters given the gradients of the five levels ({@code null} or undefined for
         * none): the last up block again with gradients, then the middle of the network through autograd, then the
         * first block again with gradients.
         */
        public void backward(List<Tensor> grads) {
            // The recomputed blocks run one image at a time (GroupNorm is per image, so the values are the same): their
            // activations and gradients then exist for one image at a time, which is what sets this mode's peak.
            long batch = x1Leaf.size(0);
            Tensor up3 = levels.get(1);
            Tensor skipGrad = Ops.zeros(x1Leaf, x1Leaf.shape());
            Tensor deeperGrad = Ops.zeros(up3, up3.shape());
            for (long i = 0; i < batch; i++) {
                Tensor skip = Autograd.leaf(x1Leaf.narrow(0, i, 1));
                Tensor deeper = Autograd.leaf(up3.narrow(0, i, 1));
                Tensor finest = upBlock(3, skip, deeper, null);
                Autograd.backward(List.of(finest), java.util.Collections.singletonList(slice(grads.get(0), i)));
                copyGrad(skip, skipGrad, i);
                copyGrad(deeper, deeperGrad, i);
                Ops.release(finest, skip, deeper);
            }
            List<Tensor> middleGrads = new java.util.ArrayList<>(grads.subList(1, 5));
            middleGrads.set(0, Autograd.sum(grads.get(1), deeperGrad));
            Autograd.backward(levels.subList(1, 5), middleGrads);
            Tensor x1Grad = Autograd.sum(x1Leaf.grad(), skipGrad);
            for (long i = 0; i < batch; i++) {
                Tensor x1 = doubleConvForward(input.narrow(0, i, 1), "inc.double_conv", null);
                Autograd.backward(List.of(x1), List.of(x1Grad.narrow(0, i, 1)));
                Ops.release(x1);
            }
        }
    }

    private static Tensor slice(Tensor t, long i) {
        return t == null || !t.defined() ? null : t.narrow(0, i, 1);
    }

    /** Copies the gradient of a one-image leaf into image {@code i} of {@code into} (none: leaves zeros). */
    private static void copyGrad(Tensor leaf, Tensor into, long i) {
        Tensor g = leaf.grad();
        if (g.defined()) into.narrow(0, i, 1).copy_(g);
    }

    /** down[0] = x1, down[i] = the i-th max-pool + DoubleConv. */
    private Tensor[] encoder(Tensor x1, Map<String, Tensor> trace) {
        Tensor[] down = new Tensor[5];
        down[0] = x1;
        for (int i = 0; i < 4; i++) {
            Tensor pooled = Ops.maxPool2(down[i]);
            record(trace, DOWN[i] + ".maxpool_conv.0", pooled);
            down[i + 1] = doubleConvForward(pooled, DOWN[i] + ".maxpool_conv.1.double_conv", trace);
            if (trace == null) Ops.release(pooled);
            record(trace, DOWN[i] + ".maxpool_conv.1", down[i + 1]);
            record(trace, DOWN[i] + ".maxpool_conv", down[i + 1]);
            record(trace, DOWN[i], down[i + 1]);
        }
        return down;
    }

    /** Up block {@code i}: upsample {@code deeper}, concatenate after {@code skip}, DoubleConv. */
    private Tensor upBlock(int i, Tensor skip, Tensor deeper, Map<String, Tensor> trace) {
        Tensor upsampled = Ops.upsample2x(deeper, false);
        record(trace, UP[i] + ".up", upsampled);
        Tensor joined = Ops.cat(1, skip, upsampled);
        if (trace == null) Ops.release(upsampled);
        Tensor out = doubleConvForward(joined, UP[i] + ".conv.double_conv", trace);
        if (trace == null) Ops.release(joined);
        record(trace, UP[i] + ".conv", out);
        record(trace, UP[i], out);
        return out;
    }

    private Tensor doubleConvForward(Tensor x, String name, Map<String, Tensor> trace) {
        String p = prefix + name;
        Tensor y = x;
        for (int half = 0; half < 2; half++) {
            int base = half * 3;
            Tensor input = y;
            y = Ops.conv(y, params.get(p + "." + base + ".weight"), params.get(p + "." + base + ".bias"));
            record(trace, name + "." + base, y);
            if (trace == null && half == 1) Ops.release(input);
            long groups = y.size(1) / 8;
            Tensor convOut = y;
            y = Ops.groupNorm(y, groups, params.get(p + "." + (base + 1) + ".weight"), params.get(p + "." + (base + 1) + ".bias"));
            if (trace == null) Ops.release(convOut);
            record(trace, name + "." + (base + 1), y);
            // In place (GroupNorm's backward does not need its output), except when tracing every sub-module.
            if (trace == null) {
                // In-place ops return a non-owning alias; keep using the owning wrapper so releasing it frees memory.
                Ops.leakyReluInPlace(y, 0.2);
            } else {
                y = Ops.leakyRelu(y, 0.2);
            }
            record(trace, name + "." + (base + 2), y);
        }
        record(trace, name, y);
        return y;
    }

    private static void record(Map<String, Tensor> trace, String key, Tensor t) {
        if (trace != null) trace.put(key, t);
    }
}
