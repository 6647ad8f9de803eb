package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;
import org.cover4j.torch.Tensors;

/**
 * The reference's SpatialTransformer (SPEC §1.2): {@code out(p) ≈ src(p + flow(p))}, with locations
 * normalised by {@code S-1} but sampled with {@code align_corners=False}. That mismatch makes a zero
 * flow a slight resampling rather than the identity; it is kept on purpose so that weights and ground
 * truth stay interchangeable with the reference. Differentiable in {@code src} and {@code flow}.
 */
public final class Warp {
    private Warp() {}

    public static Tensor apply(Tensor src, Tensor flow) {
        int nd = (int) flow.dim() - 2;
        if (flow.size(1) != nd) {
            throw new IllegalArgumentException("warp: flow must have " + nd + " channels, got " + flow.size(1));
        }
        if (src.dim() != flow.dim()) {
            throw new IllegalArgumentException("warp: source is " + src.dim() + "-D, flow " + flow.dim() + "-D");
        }
        try (Profiler.Section p = Profiler.section("warp fwd (grid + grid_sample)", flow)) {
            return apply(src, flow, nd);
        }
    }

    private static Tensor apply(Tensor src, Tensor flow, int nd) {
        Tensor[] g = new Tensor[nd];
        for (int d = 0; d < nd; d++) {
            long size = flow.size(2 + d);
            long[] view = new long[nd + 1];
            java.util.Arrays.fill(view, 1);
            view[1 + d] = size;
            Tensor base = torch.arange(Ops.s(size), flow.options()).view(view);
            Tensor component = flow.select(1, d);
            Tensor loc = component.add(base);
            // Same float32 operation order as the reference: 2 * (loc / (S - 1) - 0.5).
            Tensor scaled = loc.div(Ops.s(size - 1));
            Tensor centred = scaled.sub(Ops.s(0.5));
            g[nd - 1 - d] = centred.mul(Ops.s(2.0));
            Ops.release(base, component, loc, scaled, centred);
        }
        Tensor grid = Ops.stack(nd + 1, g);
        Ops.release(g);
        Tensor out = Ops.gridSample(src, grid);
        Ops.release(grid);
        return out;
    }
}
