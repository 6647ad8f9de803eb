package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
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
    /** LeakyReLU's negative slope after every GroupNorm. */
    static final double SLOPE = 0.2;
    /** Channels per GroupNorm group. */
    static final int GROUP_SIZE = 8;

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
        doubleConv(prefix + encoderBlock(0), inChannels, chs[0], rng);
        for (int i = 0; i < 4; i++) doubleConv(prefix + encoderBlock(i + 1), chs[i], chs[i + 1], rng);
        int deeper = chs[4];
        for (int i = 0; i < 4; i++) {
            doubleConv(prefix + decoderBlock(i), deeper + chs[3 - i], chs[5 + i], rng);
            deeper = chs[5 + i];
        }
    }

    /** The DoubleConv making encoder level {@code level} (0 = the first, full resolution; 4 = the deepest). */
    static String encoderBlock(int level) {
        return level == 0 ? "inc.double_conv" : DOWN[level - 1] + ".maxpool_conv.1.double_conv";
    }

    /** The DoubleConv of up block {@code i} (0 = the deepest, 3 = full resolution). */
    static String decoderBlock(int i) {
        return UP[i] + ".conv.double_conv";
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
    public boolean isEncoderTensor(String name) {
        // The input block and the four downs (inc.*, down1.* … down4.*); the ups are the decoder.
        if (name.startsWith("inc.")) return true;
        for (String d : DOWN) if (name.startsWith(d + ".")) return true;
        return false;
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
        Tensor x1 = doubleConvForward(Ops.channelsLast(x), encoderBlock(0), trace);
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
     * The encoder's deepest features (B, chs[4], *S/16), the 5th of {@link #levels(Tensor)}, running only the
     * encoder (same weights, same names): for methods that pool the bottleneck (rotation prediction, BYOL, SimSiam),
     * so that the decoder costs nothing.
     */
    @Override
    public Tensor deepest(Tensor x) {
        Tensor[] down = encoder(doubleConvForward(Ops.channelsLast(x), encoderBlock(0), null), null);
        // As in levels: the shallower outputs are read by nothing more (autograd keeps what backward needs).
        for (int i = 0; i < 4; i++) Ops.release(down[i]);
        return down[4];
    }

    /** The hand-written pass: it keeps a fraction of the activations autograd would (see {@link UNetPass}). */
    @Override
    public BackbonePass trainingPass(Tensor images, MemoryMode memory) {
        long voxels = images.numel() / (images.size(0) * images.size(1));
        return UNetPass.run(this, images, BackwardChunking.of(images.size(0), voxels, memory));
    }

    /** The parameter {@code name} (relative to this network's prefix, e.g. {@code inc.double_conv.0.weight}). */
    Tensor param(String name) {
        return params.get(prefix + name);
    }

    /** down[0] = x1, down[i] = the i-th max-pool + DoubleConv. */
    private Tensor[] encoder(Tensor x1, Map<String, Tensor> trace) {
        Tensor[] down = new Tensor[5];
        down[0] = x1;
        for (int i = 0; i < 4; i++) {
            Tensor pooled = Ops.maxPool2(down[i]);
            record(trace, DOWN[i] + ".maxpool_conv.0", pooled);
            down[i + 1] = doubleConvForward(pooled, encoderBlock(i + 1), trace);
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
        Tensor out = doubleConvForward(joined, decoderBlock(i), trace);
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
            long groups = y.size(1) / GROUP_SIZE;
            Tensor convOut = y;
            y = Ops.groupNorm(y, groups, params.get(p + "." + (base + 1) + ".weight"), params.get(p + "." + (base + 1) + ".bias"));
            if (trace == null) Ops.release(convOut);
            record(trace, name + "." + (base + 1), y);
            // In place (GroupNorm's backward does not need its output), except when tracing every sub-module.
            if (trace == null) {
                // In-place ops return a non-owning alias; keep using the owning wrapper so releasing it frees memory.
                Ops.leakyReluInPlace(y, SLOPE);
            } else {
                y = Ops.leakyRelu(y, SLOPE);
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
