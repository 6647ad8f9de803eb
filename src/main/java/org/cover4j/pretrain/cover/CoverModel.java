package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.MoV;
import org.cover4j.nn.Params;
import org.cover4j.nn.Projection;
import org.cover4j.nn.Backbone;
import org.cover4j.nn.MemoryMode;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.BackbonePass;
import org.cover4j.nn.UNetPass;
import org.cover4j.nn.Warp;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;
import org.cover4j.torch.Torch;
import org.cover4j.util.Rng;

import java.util.List;
import java.util.Map;

/**
 * COVER (SPEC §5): a shared U-Net encodes the moving and the fixed image; Vector Pyramid Aggregation
 * turns five levels of MoV displacements into one flow. Parameter and buffer names equal the reference
 * model's state_dict keys ({@code backbone.*}, {@code proj.i.*}, {@code mov.grid}).
 */
public final class CoverModel {
    private final CoverConfig config;
    private final Params params;
    private final Backbone backbone;
    private final Projection[] proj = new Projection[5];
    private MemoryMode memory = MemoryMode.DEFAULT;

    /** The reference model: the U-Net of {@code config}'s channels (SPEC §5). */
    public CoverModel(CoverConfig config, Device device, Rng rng) {
        this(config, BackboneSpec.unet(config.channels()), null, device, rng);
    }

    /**
     * COVER on {@code backbone} (built for inputs of {@code inputSize}, or unchecked when null) with projections sized
     * from its levels' channels; {@code config}'s channels are not used then (they are the U-Net's).
     */
    public CoverModel(CoverConfig config, BackboneSpec backbone, int[] inputSize, Device device, Rng rng) {
        this.config = config;
        this.params = new Params(device);
        this.backbone = backbone.build(params, "backbone.", config.dims(), config.inChannels(), inputSize, rng.derive(1));
        int[] levels = this.backbone.levelChannels();
        Rng projRng = rng.derive(2);
        for (int i = 0; i < 5; i++) {
            // Projection i serves VPA level i, coarsest first: the backbone's level 4 - i.
            proj[i] = new Projection(params, "proj." + i, config.dims(), levels[4 - i], config.projDim(i), projRng);
        }
        int k = 2 * config.amp() + 1;
        long[] gridShape = config.dims() == 2 ? new long[] {k, k, 2} : new long[] {k, k, k, 3};
        params.addBuffer("mov.grid", MoV.templates(config.dims(), config.amp()), gridShape);
    }

    public CoverConfig config() {
        return config;
    }

    public Params params() {
        return params;
    }

    public Backbone backbone() {
        return backbone;
    }

    /**
     * How training steps trade memory and time: {@link MemoryMode#LOW} runs the backbone's backward pass one image at a
     * time at any image size (by default only the finest level of volumes from 64³ up in float32, see {@link
     * org.cover4j.nn.BackwardChunking#of}), recomputes
     * MoV's softmax weights in the backward pass instead of keeping them, and returns the C allocator's freed memory to
     * the system before the step's peaks: the same values, less memory, a little more time. {@link MemoryMode#FAST}
     * runs the backbone's backward pass on the whole batch.
     */
    public void memoryMode(MemoryMode mode) {
        this.memory = mode;
    }

    private boolean lowMemory() {
        return memory == MemoryMode.LOW;
    }

    /**
     * Result of a forward pass: predicted flow and the un-warped finest features of both images. Compute the loss
     * from these, then call {@link #backward(Tensor)} (not {@code loss.backward()}): the flow and features are
     * leaves of a staged graph, see {@link StagedBackward}.
     */
    public record Output(Tensor flow, Tensor featMoving, Tensor featFixed, StagedBackward stages) {
        /** Back-propagates {@code loss} into every parameter's gradient. */
        public void backward(Tensor loss) {
            stages.backward(loss, flow);
        }
    }

    public Output forward(Tensor moving, Tensor fixed) {
        return forward(moving, fixed, null);
    }

    /**
     * {@code forward(M, F)}; with a {@code trace} map, records {@code M1..M5}, {@code F1..F5} and every VPA
     * intermediate under the fixture's key names ({@code vpa/q_l}, {@code vpa/attn_l}, ...).
     */
    public Output forward(Tensor moving, Tensor fixed, Map<String, Tensor> trace) {
        // In low-memory mode the allocator's leftovers of the previous step go back to the system before this step's peak.
        if (lowMemory()) {
            try (Profiler.Section p = Profiler.section("allocator trim (low memory)")) {
                Torch.releaseFreedMemory();
            }
        }
        StagedBackward stages = new StagedBackward(lowMemory());
        List<List<Tensor>> levels = levels(moving, fixed, stages);
        List<Tensor> m = levels.get(0);
        List<Tensor> f = levels.get(1);
        if (trace != null) {
            for (int i = 0; i < 5; i++) {
                trace.put("M" + (i + 1), m.get(i));
                trace.put("F" + (i + 1), f.get(i));
            }
        }
        Tensor flow = Autograd.leaf(vpa(m, f, trace, stages));
        return new Output(flow, m.get(0), f.get(0), stages);
    }

    /**
     * The backbone's five levels (finest first) for the moving and the fixed image, as leaves of {@code stages}.
     * Images of the same shape go through one backbone pass as a batch of 2B: the same arithmetic (GroupNorm is
     * per sample), but the deep, small-image layers get twice the work per call and parallelise better.
     */
    private List<List<Tensor>> levels(Tensor moving, Tensor fixed, StagedBackward stages) {
        if (!java.util.Arrays.equals(moving.shape(), fixed.shape())) {
            return List.of(backboneLevels(moving, stages, moving.size(0)).get(0), backboneLevels(fixed, stages, fixed.size(0)).get(0));
        }
        long b = moving.size(0);
        Tensor both;
        try (Profiler.Section p = Profiler.section("cat views", moving)) {
            both = Ops.cat(0, moving, fixed);
        }
        return backboneLevels(both, stages, b, b);
    }

    /**
     * The backbone's levels for {@code images}, as leaves per batch part ({@code parts}: sizes along the batch axis).
     * With gradients, a {@link UNetPass}: it keeps a fraction of the activations autograd would.
     */
    private List<List<Tensor>> backboneLevels(Tensor images, StagedBackward stages, long... parts) {
        if (GradMode.is_enabled()) {
            BackbonePass pass = backbone.trainingPass(images, memory);
            return stages.backboneLeaves(pass.levels(), pass, parts);
        }
        return stages.backboneLeaves(backbone.levels(images), null, parts);
    }

    /** Vector Pyramid Aggregation; {@code m}, {@code f} finest first. Each level is one stage of {@code stages}. */
    private Tensor vpa(List<Tensor> m, List<Tensor> f, Map<String, Tensor> trace, StagedBackward stages) {
        Tensor flowOut = null;
        for (int level = 0; level < 5; level++) {
            Tensor mFeat = m.get(4 - level);
            Tensor fFeat = f.get(4 - level);
            Tensor flowIn = level == 0 ? null : Autograd.leaf(flowOut);
            Tensor q = proj[level].apply(fFeat);
            Tensor k = level == 0 ? proj[level].apply(mFeat) : proj[level].applyWarped(mFeat, flowIn);
            if (trace != null && level > 0) trace.put("vpa/Mwarp_" + level, Warp.apply(mFeat, flowIn));
            put(trace, "vpa/q_" + level, q);
            put(trace, "vpa/k_" + level, k);
            MoV.Result result = MoV.forward(q, k, config.heads()[level], config.amp());
            Tensor mov = Autograd.leaf(result.out());
            put(trace, "vpa/mov_" + level, mov);
            if (trace != null) trace.put("vpa/attn_" + level, result.attn().detach());
            // The softmax weights are kept for the backward pass (one local correlation and softmax less per level) except
            // in low-memory mode, where they are recomputed: at 64³ they are 131 MiB, within the step's usual peak,
            // but at the paper's 2 × 128³ they are 2 GiB.
            if (lowMemory()) result = result.withoutWeights();
            Profiler.Section compose = Profiler.section("vpa flow compose fwd", mov);
            if (level == 4) {
                put(trace, "vpa/w_4", mov);
                flowOut = Warp.apply(flowIn, mov).add(mov);
            } else {
                Tensor w = Ops.upsample2x(mov.mul(Ops.s(2.0)), true);
                put(trace, "vpa/w_" + level, w);
                if (level == 0) {
                    flowOut = w;
                } else {
                    Tensor up = Ops.upsample2x(flowIn.mul(Ops.s(2.0)), true);
                    put(trace, "vpa/flowup_" + level, up);
                    flowOut = Warp.apply(up, w).add(w);
                }
            }
            compose.close();
            put(trace, "vpa/flow_" + level, flowOut);
            stages.addLevel(flowIn, flowOut, mov, q, k, result);
        }
        return flowOut;
    }

    private static void put(Map<String, Tensor> trace, String key, Tensor t) {
        if (trace != null) trace.put(key, t);
    }
}
