package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.testing.Fixtures;
import org.cover4j.torch.Ops;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

/** The warp against the reference SpatialTransformer (fixtures stn2d/stn3d): output, zero flow, both gradients. */
class WarpTest {
    @ParameterizedTest
    @ValueSource(strings = {"stn2d.npz", "stn3d.npz"})
    void matchesReferenceOutputAndGradients(String file) {
        check(file);
    }

    /** A single 3D volume is cut into one slab per thread (5 threads: 5 slabs of the 5-deep fixture); same numbers. */
    @Test
    void volumeCutIntoSlabsPerThreadMatchesReference() {
        int threads = Torch.threads();
        try {
            Torch.setThreads(5);
            check("stn3d.npz");
        } finally {
            Torch.setThreads(threads);
        }
    }

    private static void check(String file) {
        Map<String, NpyArray> fx = Fixtures.load(file);
        try (StepScope s = StepScope.open()) {
            Tensor src = Fixtures.tensor(fx.get("src"));
            Tensor flow = Fixtures.tensor(fx.get("flow"));
            src.set_requires_grad(true);
            flow.set_requires_grad(true);
            Tensor out = Warp.apply(src, flow);
            Fixtures.assertClose(file + " out", fx.get("out"), out, 1e-5, 1e-6);
            Tensor zero = Warp.apply(src, Ops.zeros(flow, flow.shape()));
            Fixtures.assertClose(file + " out_zero_flow", fx.get("out_zero_flow"), zero, 1e-5, 1e-6);
            out.mul(Fixtures.tensor(fx.get("gout"))).sum().backward();
            Fixtures.assertClose(file + " dsrc", fx.get("dsrc"), src.grad(), 1e-5, 1e-6);
            Fixtures.assertClose(file + " dflow", fx.get("dflow"), flow.grad(), 1e-5, 1e-5);
        }
    }
}
