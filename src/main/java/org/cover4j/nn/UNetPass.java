package org.cover4j.nn;

import org.bytedeco.javacpp.BoolPointer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.T_TensorTensorTensor_T;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;
import org.cover4j.torch.Precision;
import org.cover4j.torch.Tensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training pass through a {@link UNet} with a hand-written backward pass, for the activation memory that bounds
 * a 3D step. Autograd keeps, per conv → GroupNorm → LeakyReLU unit, the convolution's input and output (and for an
 * up block the whole concatenation of skip and upsampled input, three times the output's channels); this pass keeps
 * only each convolution's output and its GroupNorm statistics. Everything else is recomputed in backward from those
 * by the cheap, memory-bound operations (GroupNorm with LeakyReLU, max pooling, upsampling) with the same kernels
 * as the forward pass, so the recomputed values are bitwise those of the forward pass. The one convolution run
 * again is the first, on the image itself (a few input channels: cheap), whose output is not kept.
 * The gradients are those of autograd (libtorch's own backward kernels) up to summation order.
 *
 * <p>The backward pass runs in chunks of images as a {@link BackwardChunking} says (GroupNorm is per image, so the
 * values are the same): the temporaries of a full-resolution block then exist for one chunk at a time, and the
 * coarse levels can run on the whole batch between the fine levels' chunks. The forward pass runs
 * whole: its temporaries are not what sets a step's peak, and the deep layers parallelise better on a whole batch.
 *
 * <p>In {@link Precision#BF16} the whole pass runs on bfloat16 activations: the image is cast once, every convolution,
 * its kept output, GroupNorm's output, pooling, upsampling and their gradients are bfloat16 (half the memory traffic of
 * these memory-bound operations and half the kept memory), while GroupNorm's statistics, its affine parameters and
 * their gradients are float32 (libtorch's mixed-type GroupNorm accumulates in float32), the five levels are handed out
 * as float32, their gradients are cast to bfloat16 on the way in, and the weight gradients are cast to float32 before
 * they are added. Autocast would give GroupNorm's output in float32; here it is rounded to bfloat16 once, which is
 * what the next convolution (or the projection that reads a level) rounds it to anyway. In float32 nothing is cast.
 */
public final class UNetPass implements BackbonePass {
    /**
     * What the backward pass of one conv → GroupNorm → LeakyReLU unit needs: the conv output ({@code null} where it is
     * recomputed, see {@link #FIRST_UNIT}) and the norm's statistics.
     */
    private record Unit(String conv, String norm, Tensor z, Tensor mean, Tensor rstd) {
        Unit withZ(Tensor z) {
            return new Unit(conv, norm, z, mean, rstd);
        }

        void release() {
            Ops.release(z, mean, rstd);
        }
    }

    /**
     * The network's first convolution, whose output is not kept but recomputed in the backward pass: its input is the
     * image (a channel or few), so it costs a small fraction of the next one, and its output is as large as any
     * (a full-resolution feature map per image, a tenth of what the pass keeps).
     */
    private static final String FIRST_UNIT = UNet.encoderBlock(0) + "0";

    /** Some images of the batch and the units they went through, by name. */
    private static final class Chunk {
        final long start;
        final long size;
        final Tensor input;
        final Map<String, Unit> units = new HashMap<>();

        Chunk(long start, long size, Tensor input) {
            this.start = start;
            this.size = size;
            this.input = input;
        }

        /** This chunk's images {@code [from, from + n)}: views of its tensors, nothing copied. */
        Chunk slice(long from, long n) {
            Chunk c = new Chunk(start + from, n, input.narrow(0, from, n));
            for (Map.Entry<String, Unit> e : units.entrySet()) {
                Unit u = e.getValue();
                c.units.put(e.getKey(), new Unit(u.conv(), u.norm(), u.z() == null ? null : u.z().narrow(0, from, n),
                        u.mean().narrow(0, from, n), u.rstd().narrow(0, from, n)));
            }
            return c;
        }

        void release() {
            for (Unit u : units.values()) u.release();
            units.clear();
        }
    }

    private final UNet net;
    private final Chunk batch;
    private final long imagesPerChunk;
    private final int chunkedLevels;
    private final List<Tensor> levels;

    private UNetPass(UNet net, Tensor images, BackwardChunking chunking) {
        this.net = net;
        this.imagesPerChunk = chunking.imagesPerChunk();
        this.chunkedLevels = chunking.chunkedLevels();
        try (NoGradGuard g = new NoGradGuard()) {
            try (Profiler.Section p = Profiler.section("unet input to channels-last")) {
                Tensor laidOut = Ops.channelsLast(images);
                Tensor input = Precision.compute(laidOut);
                if (input != laidOut) Ops.release(laidOut);
                batch = new Chunk(0, images.size(0), input);
            }
            levels = fp32(forward(batch));
        }
    }

    /**
     * Runs the forward pass of {@code net} on {@code images}, keeping what {@link #backward} needs, which will divide
     * the batch as {@code chunking} says; the levels it returns are outside autograd.
     */
    public static UNetPass run(UNet net, Tensor images, BackwardChunking chunking) {
        return new UNetPass(net, images, chunking);
    }

    /** As {@link #run(UNet, Tensor, BackwardChunking)}, {@code imagesPerChunk} images at a time through every level. */
    public static UNetPass run(UNet net, Tensor images, long imagesPerChunk) {
        return run(net, images, BackwardChunking.perChunk(imagesPerChunk));
    }

    /** The tensors as float32 (those that are not are replaced and released): the levels handed out. */
    private static List<Tensor> fp32(List<Tensor> ts) {
        List<Tensor> out = new ArrayList<>(ts.size());
        for (Tensor t : ts) {
            Tensor f = Precision.fp32(t);
            if (f != t) Ops.release(t);
            out.add(f);
        }
        return List.copyOf(out);
    }

    /** The five levels (as {@link UNet#levels}), finest first, for the whole batch. */
    @Override
    public List<Tensor> levels() {
        return levels;
    }

    // ---------------------------------------------------------------- forward

    private List<Tensor> forward(Chunk c) {
        Tensor[] enc = new Tensor[5];
        enc[0] = doubleConv(c, UNet.encoderBlock(0), c.input);
        for (int i = 0; i < 4; i++) {
            Tensor pooled;
            try (Profiler.Section p = Profiler.section("unet maxpool fwd", enc[i])) {
                pooled = Ops.maxPool2(enc[i]);
            }
            enc[i + 1] = doubleConv(c, UNet.encoderBlock(i + 1), pooled);
            Ops.release(pooled);
        }
        Tensor deeper = enc[4];
        Tensor[] up = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            Tensor joined;
            try (Profiler.Section p = Profiler.section("unet upsample+cat fwd", enc[3 - i])) {
                Tensor upsampled = Ops.upsample2x(deeper, false);
                joined = Ops.cat(1, enc[3 - i], upsampled);
                Ops.release(upsampled, enc[3 - i]);
            }
            up[i] = doubleConv(c, UNet.decoderBlock(i), joined);
            Ops.release(joined);
            deeper = up[i];
        }
        return List.of(up[3], up[2], up[1], up[0], enc[4]);
    }

    private Tensor doubleConv(Chunk c, String block, Tensor in) {
        Tensor a0 = unitForward(c, block, 0, in);
        Tensor a1 = unitForward(c, block, 1, a0);
        Ops.release(a0);
        return a1;
    }

    /**
     * Unit {@code half} (0 or 1) of a DoubleConv: conv → GroupNorm → LeakyReLU; keeps the conv output (but the
     * first unit's) and statistics.
     */
    private Tensor unitForward(Chunk c, String block, int half, Tensor in) {
        String conv = block + "." + (3 * half);
        String norm = block + "." + (3 * half + 1);
        Tensor z;
        try (Profiler.Section p = Profiler.section("unet conv fwd", in)) {
            z = Ops.conv(in, net.param(conv + ".weight"), net.param(conv + ".bias"));
            Profiler.convolutionWork(z, net.param(conv + ".weight"), 1);
        }
        Tensor[] n;
        try (Profiler.Section p = Profiler.section("unet norm+lrelu fwd", z)) {
            n = groupNorm(z, norm);
        }
        boolean keep = !(block + half).equals(FIRST_UNIT);
        if (!keep) Ops.release(z);
        c.units.put(block + half, new Unit(conv, norm, keep ? z : null, n[1], n[2]));
        return n[0];
    }

    /** GroupNorm then LeakyReLU in place on {@code z}: {activation, mean, rstd}. */
    private Tensor[] groupNorm(Tensor z, String norm) {
        long n = z.size(0);
        long ch = z.size(1);
        T_TensorTensorTensor_T r = torch.native_group_norm(z, new TensorOptional(net.param(norm + ".weight")),
                new TensorOptional(net.param(norm + ".bias")), n, ch, z.numel() / (n * ch), ch / UNet.GROUP_SIZE, Ops.GROUP_NORM_EPS);
        Tensor[] out = {own(r.get0()), own(r.get1()), own(r.get2())};
        r.close();
        // In-place ops return a non-owning alias; out[0] stays the owning wrapper.
        Ops.leakyReluInPlace(out[0], UNet.SLOPE);
        return out;
    }

    /** The unit's output again, from its conv output: the same kernel on the same values gives the same bits. */
    private Tensor activation(Unit u) {
        try (Profiler.Section p = Profiler.section("unet norm+lrelu recompute", u.z())) {
            Tensor[] n = groupNorm(u.z(), u.norm());
            Ops.release(n[1], n[2]);
            return n[0];
        }
    }

    // ---------------------------------------------------------------- backward

    /**
     * Adds the parameters' gradients given the gradients of the five levels for the whole batch (finest first;
     * {@code null} or undefined for none). Releases the gradients, the levels and what the forward pass kept.
     */
    public void backward(List<Tensor> grads) {
        backward(List.of(grads), batch.size);
    }

    /**
     * As {@link #backward(List)} with the gradients given per part of the batch: {@code grads.get(p)} holds the five
     * level gradients of the {@code parts[p]} images after those of the parts before it (e.g. the moving and the
     * fixed images). A part's gradients are released as soon as its images are done with them, and no joined copy of
     * the parts is made unless a chunk spans two of them. The levels are released first: the backward pass recomputes
     * what it needs of them from the kept convolution outputs.
     *
     * <p>With several chunks and {@code chunkedLevels} below 5 the backward pass runs in three phases: the decoder
     * blocks of the fine levels chunk by chunk, then everything at the coarse levels on the whole batch (whose small
     * convolutions use the cores better on more images: at 8³ and 4³ they ran at 72 and 45 GFLOP/s per volume, 178
     * and 86 on two), then the encoder blocks of the fine levels chunk by chunk. The fine levels' temporaries, which
     * set the peak, still exist for one chunk at a time; what waits for the second fine phase is each image's skip
     * gradients of the fine levels and its pooled input to the coarse encoder.
     */
    @Override
    public void backward(List<List<Tensor>> grads, long... parts) {
        long total = 0;
        for (long n : parts) total += n;
        if (grads.size() != parts.length || total != batch.size) {
            throw new IllegalArgumentException("gradient parts " + java.util.Arrays.toString(parts) + " do not cover the batch of " + batch.size);
        }
        for (List<Tensor> g : grads) {
            if (g.size() != 5) throw new IllegalArgumentException("expected 5 level gradients, got " + g.size());
        }
        Ops.release(levels.toArray(new Tensor[0]));
        try (NoGradGuard g = new NoGradGuard()) {
            List<Chunk> chunks = new ArrayList<>();
            for (long start = 0; start < batch.size; start += imagesPerChunk) {
                long size = Math.min(imagesPerChunk, batch.size - start);
                chunks.add(size == batch.size ? batch : batch.slice(start, size));
            }
            LevelGradients levelGrads = new LevelGradients(grads, parts);
            if (chunks.size() > 1 && chunkedLevels < 5) {
                backwardSplit(chunks, levelGrads, chunkedLevels);
            } else {
                // Each chunk all the way; the split at the deepest level only orders the work as one pass would.
                for (Chunk c : chunks) {
                    List<Tensor> part = levelGrads.of(c.start, c.size, 0, 4);
                    Handover h = fineDecoderBackward(c, part, 4, true);
                    coarseBackward(c, part, 4, h);
                    fineEncoderBackward(c, 4, h, h.gPooled);
                    Ops.release(part.toArray(new Tensor[0]));
                    levelGrads.releaseDone(c.start + c.size, 0, 4);
                    if (c != batch) c.release();
                }
            }
            batch.release();
        }
    }

    /** The three phases of {@link #backward(List, long...)} with the levels below {@code fine} run per chunk. */
    private void backwardSplit(List<Chunk> chunks, LevelGradients levelGrads, int fine) {
        List<Handover> handovers = new ArrayList<>();
        for (Chunk c : chunks) {
            List<Tensor> part = levelGrads.of(c.start, c.size, 0, fine);
            handovers.add(fineDecoderBackward(c, part, fine, false));
            Ops.release(part.toArray(new Tensor[0]));
            levelGrads.releaseDone(c.start + c.size, 0, fine);
        }
        Handover whole = new Handover();
        try (Profiler.Section p = Profiler.section("unet join chunks")) {
            whole.g = joinAndRelease(handovers, h -> h.g);
            whole.pooled = joinAndRelease(handovers, h -> h.pooled);
        }
        List<Tensor> coarse = levelGrads.of(0, batch.size, fine + 1, 4);
        coarseBackward(batch, coarse, fine, whole);
        Ops.release(coarse.toArray(new Tensor[0]));
        levelGrads.releaseDone(batch.size, fine + 1, 4);
        for (int k = 0; k < chunks.size(); k++) {
            Chunk c = chunks.get(k);
            fineEncoderBackward(c, fine, handovers.get(k), whole.gPooled.narrow(0, c.start, c.size));
            c.release();
        }
        Ops.release(whole.gPooled);
    }

    private static Tensor joinAndRelease(List<Handover> hs, java.util.function.Function<Handover, Tensor> field) {
        Tensor[] all = hs.stream().map(field).toArray(Tensor[]::new);
        Tensor joined = Ops.cat(0, all); // (concatenation keeps the channels-last layout)
        Ops.release(all);
        return joined;
    }

    /**
     * What a chunk's backward through the fine levels hands to the coarse levels' and takes back: {@code g}, the
     * gradient of the output of the first coarse block in backward order (the level gradients up to its level
     * added); the skip gradients of the fine encoder blocks' outputs; their activations where kept; the coarse
     * encoder's input (max pooling of the last fine encoder output) with its pooling indices; and from the coarse
     * levels, {@code gPooled}, the gradient of that input.
     */
    private static final class Handover {
        Tensor g;
        final Tensor[] skipGrad = new Tensor[4];
        final Tensor[] encoderOutput = new Tensor[4];
        Tensor pooled;
        Tensor indices;
        Tensor gPooled;
    }

    /**
     * Backward through the decoder blocks at levels {@code 0 .. fine-1} (finest first). Keeps the fine encoder
     * outputs (skip activations) in the handover if {@code keepActivations}, else releases them once the coarse
     * encoder's pooled input is taken from the last one (the second fine phase recomputes them).
     */
    private Handover fineDecoderBackward(Chunk c, List<Tensor> grads, int fine, boolean keepActivations) {
        Handover h = new Handover();
        Tensor g = grads.get(0);
        Tensor out = output(c, UNet.decoderBlock(3));
        for (int i = 3; i >= 4 - fine; i--) {
            Tensor deeper = output(c, i > 0 ? UNet.decoderBlock(i - 1) : UNet.encoderBlock(4));
            g = decoderStep(c, i, g, out, deeper, grads, h.skipGrad, h.encoderOutput);
            out = deeper;
        }
        Ops.release(out); // the first coarse block's output: the coarse phase recomputes it for its images
        h.g = g;
        Tensor[] pooled = poolWithIndices(h.encoderOutput[fine - 1]);
        h.pooled = pooled[0];
        h.indices = pooled[1];
        if (!keepActivations) {
            Ops.release(h.encoderOutput);
            java.util.Arrays.fill(h.encoderOutput, null);
        }
        return h;
    }

    /**
     * Backward through the decoder blocks at levels {@code fine .. 3} and the encoder blocks at levels {@code 4 ..
     * fine}, from the handover's {@code g}; sets its {@code gPooled} and releases its {@code pooled} and {@code g}.
     */
    private void coarseBackward(Chunk c, List<Tensor> grads, int fine, Handover h) {
        Tensor[] encoderOutput = new Tensor[4];
        Tensor[] skipGrad = new Tensor[4];
        Tensor g = h.g;
        Tensor out = output(c, fine < 4 ? UNet.decoderBlock(3 - fine) : UNet.encoderBlock(4));
        for (int i = 3 - fine; i >= 0; i--) {
            Tensor deeper = output(c, i > 0 ? UNet.decoderBlock(i - 1) : UNet.encoderBlock(4));
            g = decoderStep(c, i, g, out, deeper, grads, skipGrad, encoderOutput);
            out = deeper;
        }
        for (int j = 4; j > fine; j--) {
            g = encoderStep(c, j, g, out, encoderOutput[j - 1], skipGrad[j - 1], grads);
            out = encoderOutput[j - 1];
        }
        h.gPooled = doubleConvBackward(c, UNet.encoderBlock(fine), g, out, h.pooled, true);
        releaseIfOwned(g, grads);
        Ops.release(h.pooled);
        h.g = null;
        h.pooled = null;
    }

    /**
     * Backward through the encoder blocks at levels {@code fine-1 .. 0} from {@code gPooled}, the gradient of the coarse
     * encoder's input (released here), and the handover's skip gradients; releases the rest of the handover.
     */
    private void fineEncoderBackward(Chunk c, int fine, Handover h, Tensor gPooled) {
        Tensor before = encoderOutput(c, h, fine - 1);
        Tensor g = poolBackward(gPooled, before, h.indices, h.skipGrad[fine - 1]);
        Ops.release(gPooled);
        Tensor out = before;
        for (int j = fine - 1; j >= 1; j--) {
            Tensor next = encoderOutput(c, h, j - 1);
            g = encoderStep(c, j, g, out, next, h.skipGrad[j - 1], List.of());
            out = next;
        }
        Unit first = c.units.get(FIRST_UNIT);
        try (Profiler.Section p = Profiler.section("unet conv recompute (first)", c.input)) {
            Unit again = first.withZ(Ops.conv(c.input, net.param(first.conv() + ".weight"), net.param(first.conv() + ".bias")));
            Profiler.convolutionWork(again.z(), net.param(first.conv() + ".weight"), 1);
            c.units.put(FIRST_UNIT, again);
        }
        doubleConvBackward(c, UNet.encoderBlock(0), g, out, c.input, false);
        Ops.release(g);
    }

    /** Encoder block {@code level}'s output: kept in the handover, or recomputed. */
    private Tensor encoderOutput(Chunk c, Handover h, int level) {
        Tensor kept = h.encoderOutput[level];
        h.encoderOutput[level] = null;
        return kept != null ? kept : output(c, UNet.encoderBlock(level));
    }

    /**
     * Backward through up block {@code i} (output {@code out}, input from {@code deeper}, both released or handed on):
     * stores the skip gradient and the skip activation at its level, returns the gradient of {@code deeper} with that
     * level's gradient added.
     */
    private Tensor decoderStep(Chunk c, int i, Tensor g, Tensor out, Tensor deeper, List<Tensor> grads, Tensor[] skipGrad, Tensor[] encoderOutput) {
        Tensor[] r = upBackward(c, UNet.decoderBlock(i), UNet.encoderBlock(3 - i), g, out, deeper);
        skipGrad[3 - i] = r[0];
        encoderOutput[3 - i] = r[2];
        Tensor next;
        try (Profiler.Section p = Profiler.section("unet grad sum", r[1])) {
            next = Autograd.sum(r[1], grads.get(4 - i));
        }
        releaseIfOwned(g, grads);
        if (next != r[1]) Ops.release(r[1]);
        return next;
    }

    /**
     * Backward through encoder block {@code j} (output {@code out}, released) whose input was the max pooling of
     * {@code before}: the gradient of {@code before}, its skip gradient added (and released).
     */
    private Tensor encoderStep(Chunk c, int j, Tensor g, Tensor out, Tensor before, Tensor skipGrad, List<Tensor> grads) {
        Tensor[] pooled = poolWithIndices(before);
        Tensor gPooled = doubleConvBackward(c, UNet.encoderBlock(j), g, out, pooled[0], true);
        releaseIfOwned(g, grads);
        Ops.release(pooled[0]);
        Tensor next = poolBackward(gPooled, before, pooled[1], skipGrad);
        Ops.release(gPooled);
        return next;
    }

    /** The max pooling of {@code before} again, with the indices its backward needs: {values, indices}. */
    private static Tensor[] poolWithIndices(Tensor before) {
        try (Profiler.Section p = Profiler.section("unet maxpool recompute", before)) {
            T_TensorTensor_T pooled = maxPoolWithIndices(before);
            Tensor[] out = {own(pooled.get0()), own(pooled.get1())};
            pooled.close();
            return out;
        }
    }

    /** Max pooling's backward to {@code before} plus the skip gradient: releases the indices and the skip gradient. */
    private static Tensor poolBackward(Tensor gPooled, Tensor before, Tensor indices, Tensor skipGrad) {
        Tensor gBefore;
        try (Profiler.Section p = Profiler.section("unet maxpool bwd", before)) {
            gBefore = maxPoolBackward(gPooled, before, indices);
        }
        Ops.release(indices);
        Tensor g;
        try (Profiler.Section p = Profiler.section("unet grad sum", gBefore)) {
            g = Autograd.sum(gBefore, skipGrad);
        }
        if (g != gBefore) Ops.release(gBefore);
        if (g != skipGrad) Ops.release(skipGrad);
        return g;
    }

    /** A DoubleConv's output activation, recomputed from its second convolution's output. */
    private Tensor output(Chunk c, String block) {
        return activation(c.units.get(block + "1"));
    }

    /** Releases {@code g} unless it is one of the caller's level gradients (or a view of one: those the caller owns). */
    private static void releaseIfOwned(Tensor g, List<Tensor> grads) {
        if (g == null || grads.contains(g)) return;
        g.close();
    }

    /**
     * Backward through DoubleConv {@code block} from the gradient of its output activation {@code out} (released here)
     * to its input {@code in}: the input's gradient ({@code needInput}) or null.
     */
    private Tensor doubleConvBackward(Chunk c, String block, Tensor g, Tensor out, Tensor in, boolean needInput) {
        Unit first = c.units.get(block + "0");
        Tensor gz0 = secondUnitBackward(c, block, g, out);
        Tensor[] r = convBackward(gz0, in, net.param(first.conv() + ".weight"), needInput, true);
        Ops.release(gz0);
        accumulate(first.conv(), r[1], r[2]);
        return r[0];
    }

    /**
     * Backward through up block {@code block}, whose input was cat(skip, upsample(deeper)) with the skip the output of
     * {@code skipBlock}, from the gradient of its output {@code out} (released here): {gradient of the skip, gradient
     * of deeper, the skip's activation}. The first convolution's backward runs per input part (its weight split along
     * the input channels): the upsampled input in groups as wide as the skip, each group's upsampled values and their
     * gradient gone before the next group's exist, then the skip, recomputed only now. The concatenation and its
     * gradient, three times the block output's size, never exist whole.
     */
    private Tensor[] upBackward(Chunk c, String block, String skipBlock, Tensor g, Tensor out, Tensor deeper) {
        Unit first = c.units.get(block + "0");
        Tensor gz0 = secondUnitBackward(c, block, g, out);
        Tensor weight = net.param(first.conv() + ".weight");
        long deeperChannels = deeper.size(1);
        long skipChannels = weight.size(1) - deeperChannels;
        List<Tensor> weightGrads = new ArrayList<>();
        List<Tensor> deeperGrads = new ArrayList<>();
        for (long from = 0; from < deeperChannels; from += skipChannels) {
            long n = Math.min(skipChannels, deeperChannels - from);
            Tensor part = deeper.narrow(1, from, n);
            Tensor upsampled;
            try (Profiler.Section p = Profiler.section("unet upsample recompute", part)) {
                upsampled = Ops.upsample2x(part, false);
            }
            Tensor w = weight.narrow(1, skipChannels + from, n);
            Tensor[] r = convBackward(gz0, upsampled, w, true, false);
            Ops.release(upsampled, w);
            weightGrads.add(r[1]);
            try (Profiler.Section p = Profiler.section("unet upsample bwd", part)) {
                deeperGrads.add(upsampleBackward(r[0], part));
            }
            Ops.release(r[0], part);
        }
        Tensor skip = output(c, skipBlock);
        Tensor w = weight.narrow(1, 0, skipChannels);
        Tensor[] s = convBackward(gz0, skip, w, true, true);
        Ops.release(gz0, w);
        weightGrads.add(0, s[1]);
        Tensor[] wg = weightGrads.toArray(new Tensor[0]);
        Tensor[] dg = deeperGrads.toArray(new Tensor[0]);
        Tensor gDeeper;
        try (Profiler.Section p = Profiler.section("unet cat bwd", skip)) {
            accumulate(first.conv(), Ops.cat(1, wg), s[2]);
            Ops.release(wg);
            gDeeper = dg.length == 1 ? dg[0] : Ops.cat(1, dg);
            if (dg.length > 1) Ops.release(dg);
        }
        return new Tensor[] {s[0], gDeeper, skip};
    }

    /**
     * From the gradient of a DoubleConv's output activation {@code out} (released here) back through its second unit
     * and the first unit's norm: the gradient of the first convolution's output.
     */
    private Tensor secondUnitBackward(Chunk c, String block, Tensor g, Tensor out) {
        Unit second = c.units.get(block + "1");
        Unit first = c.units.get(block + "0");
        Tensor gz1 = normBackward(second, g, out);
        Ops.release(out);
        Tensor a0 = activation(first);
        Tensor[] r = convBackward(gz1, a0, net.param(second.conv() + ".weight"), true, true);
        Ops.release(gz1);
        accumulate(second.conv(), r[1], r[2]);
        Tensor gz0 = normBackward(first, r[0], a0);
        Ops.release(r[0], a0);
        return gz0;
    }

    /** LeakyReLU then GroupNorm backward: the gradient of the unit's conv output; adds the norm's parameter gradients. */
    private Tensor normBackward(Unit u, Tensor g, Tensor out) {
        Tensor gOut;
        try (Profiler.Section p = Profiler.section("unet grad to channels-last", g)) {
            gOut = Ops.channelsLast(g);
        }
        try (Profiler.Section p = Profiler.section("unet norm+lrelu bwd", g)) {
            return normBackward(u, g, gOut, out);
        }
    }

    private Tensor normBackward(Unit u, Tensor g, Tensor gOut, Tensor out) {
        Tensor gy = torch.leaky_relu_backward(gOut, out, Ops.s(UNet.SLOPE), true);
        if (gOut != g) Ops.release(gOut);
        Tensor z = u.z();
        long n = z.size(0);
        long ch = z.size(1);
        T_TensorTensorTensor_T r = torch.native_group_norm_backward(gy, z, u.mean(), u.rstd(),
                new TensorOptional(net.param(u.norm() + ".weight")), n, ch, z.numel() / (n * ch), ch / UNet.GROUP_SIZE, mask(true, true, true));
        Tensor gz = own(r.get0());
        Tensor gGamma = own(r.get1());
        Tensor gBeta = own(r.get2());
        r.close();
        Ops.release(gy);
        accumulate(u.norm() + ".weight", gGamma);
        accumulate(u.norm() + ".bias", gBeta);
        Ops.release(gGamma, gBeta);
        return gz;
    }

    /**
     * Convolution backward in the current precision: {input gradient (or null unless {@code needInput}) in {@code gz}'s
     * type, float32 weight gradient, float32 bias gradient (or null unless {@code withBias})}.
     */
    private static Tensor[] convBackward(Tensor gz, Tensor in, Tensor weight, boolean needInput, boolean withBias) {
        try (Profiler.Section p = Profiler.section(needInput ? "unet conv bwd" : "unet conv bwd (weight only)", gz)) {
            Profiler.convolutionWork(gz, weight, needInput ? 2 : 1);
            return convBackwardUntimed(gz, in, weight, needInput, withBias);
        }
    }

    private static Tensor[] convBackwardUntimed(Tensor gz, Tensor in, Tensor weight, boolean needInput, boolean withBias) {
        int nd = (int) gz.dim() - 2;
        long pad = (weight.size(2) - 1) / 2;
        Tensor g = Precision.forConvolution(gz, in, weight);
        Tensor x = Precision.forConvolution(in, in, weight);
        Tensor w = Precision.forConvolution(weight, in, weight);
        T_TensorTensorTensor_T r = torch.convolution_backward(g, x, w, new long[] {gz.size(1)},
                Ops.repeat(1, nd), Ops.repeat(pad, nd), Ops.repeat(1, nd), false, Ops.repeat(0, nd), 1, mask(needInput, true, withBias));
        Tensor[] out = {needInput ? Ops.sameType(own(r.get0()), gz) : null, fp32Owned(r.get1()), withBias ? fp32Owned(r.get2()) : null};
        r.close();
        Ops.releaseCasts(gz, g, in, x, weight, w);
        return out;
    }

    /** An owning float32 copy of a tuple element (a cast of it where it is bfloat16). */
    private static Tensor fp32Owned(Tensor element) {
        Tensor t = own(element);
        Tensor f = Precision.fp32(t);
        if (f != t) Ops.release(t);
        return f;
    }

    /** Adds the gradients of convolution {@code conv}'s weight and bias, then releases them. */
    private void accumulate(String conv, Tensor gWeight, Tensor gBias) {
        accumulate(conv + ".weight", gWeight);
        accumulate(conv + ".bias", gBias);
        Ops.release(gWeight, gBias);
    }

    private static T_TensorTensor_T maxPoolWithIndices(Tensor x) {
        int nd = Tensors.spatialDims(x);
        if (nd == 2) return torch.max_pool2d_with_indices(x, Ops.repeat(2, 2), Ops.repeat(2, 2), Ops.repeat(0, 2), Ops.repeat(1, 2), false);
        return torch.max_pool3d_with_indices(x, Ops.repeat(2, 3), Ops.repeat(2, 3), Ops.repeat(0, 3), Ops.repeat(1, 3), false);
    }

    private static Tensor maxPoolBackward(Tensor g, Tensor x, Tensor indices) {
        int nd = Tensors.spatialDims(x);
        Tensor gc = Ops.channelsLast(g);
        Tensor out = nd == 2
                ? torch.max_pool2d_with_indices_backward(gc, x, Ops.repeat(2, 2), Ops.repeat(2, 2), Ops.repeat(0, 2), Ops.repeat(1, 2), false, indices)
                : torch.max_pool3d_with_indices_backward(gc, x, Ops.repeat(2, 3), Ops.repeat(2, 3), Ops.repeat(0, 3), Ops.repeat(1, 3), false, indices);
        if (gc != g) Ops.release(gc);
        return out;
    }

    /** Backward of {@code Ops.upsample2x(x, false)}: the gradient of {@code x}. */
    private static Tensor upsampleBackward(Tensor g, Tensor x) {
        int nd = Tensors.spatialDims(x);
        long[] in = x.shape();
        long[] out = new long[nd];
        for (int d = 0; d < nd; d++) out[d] = 2 * in[2 + d];
        return nd == 2 ? torch.upsample_bilinear2d_backward(g, out, in, false) : torch.upsample_trilinear3d_backward(g, out, in, false);
    }

    /** Adds {@code g} to the gradient of parameter {@code name}. */
    private void accumulate(String name, Tensor g) {
        try (Profiler.Section p = Profiler.section("unet param grad accumulate")) {
            Autograd.accumulateGrad(net.param(name), g);
        }
    }

    /** An owning copy of a tuple element (JavaCPP returns references into the tuple, which dies with it). */
    private static Tensor own(Tensor element) {
        return new Tensor(element);
    }

    private static BoolPointer mask(boolean a, boolean b, boolean c) {
        BoolPointer p = new BoolPointer(3);
        p.put(0, a).put(1, b).put(2, c);
        return p;
    }
}
