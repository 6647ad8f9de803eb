package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;
import org.cover4j.util.Rng;

/** The reference's {@code ProjectionLayer} (SPEC §3): 1×1 conv with bias, then GroupNorm with one group. */
public final class Projection {
    private final Params params;
    private final String name;

    public Projection(Params params, String name, int dims, int in, int out, Rng rng) {
        this.params = params;
        this.name = name;
        long[] shape = dims == 2 ? new long[] {out, in, 1, 1} : new long[] {out, in, 1, 1, 1};
        params.add(name + ".proj.weight", Init.uniformFanIn(rng, out * in, in), shape);
        params.add(name + ".proj.bias", Init.uniformFanIn(rng, out, in), out);
        params.add(name + ".norm.weight", Init.constant(out, 1f), out);
        params.add(name + ".norm.bias", Init.constant(out, 0f), out);
    }

    public Tensor apply(Tensor x) {
        try (Profiler.Section p = Profiler.section("vpa projection fwd", x)) {
            Tensor y = Ops.conv(x, params.get(name + ".proj.weight"), params.get(name + ".proj.bias"));
            return normalize(y);
        }
    }

    /**
     * {@code apply(Warp.apply(x, flow))}, computed as GroupNorm(Warp(W·x, flow) + b). The 1×1 convolution
     * commutes with the warp (both are linear, the warp acts on each channel alike and its zero padding is
     * zero in every channel), so warping the projected maps gives the same values up to rounding while moving
     * the projection's few output channels instead of the backbone's many (8 instead of 32 at the finest level).
     */
    public Tensor applyWarped(Tensor x, Tensor flow) {
        Tensor projected;
        try (Profiler.Section p = Profiler.section("vpa projection fwd", x)) {
            projected = Ops.conv(x, params.get(name + ".proj.weight"), null);
        }
        Tensor warped = Warp.apply(projected, flow);
        Tensor bias = params.get(name + ".proj.bias");
        long[] shape = new long[(int) x.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[1] = bias.size(0);
        Tensor biasView = bias.view(shape);
        Tensor y = warped.add(biasView);
        Ops.release(projected, warped, biasView);
        return normalize(y);
    }

    private Tensor normalize(Tensor y) {
        try (Profiler.Section p = Profiler.section("vpa projection fwd", y)) {
            return Ops.groupNorm(y, 1, params.get(name + ".norm.weight"), params.get(name + ".norm.bias"));
        }
    }
}
