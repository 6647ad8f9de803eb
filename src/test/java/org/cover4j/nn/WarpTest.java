package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.testing.Fixtures;
import org.cover4j.torch.Ops;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warp against the reference SpatialTransformer (fixtures stn2d/stn3d): output, zero flow, both gradients. */
class WarpTest {
    @ParameterizedTest
    @ValueSource(strings = {"stn2d.npz", "stn3d.npz"})
    void matchesReferenceOutputAndGradients(String file) {
        check(file);
    }

    /**
     * A single 3D volume is cut into one slab per thread (5 threads: 5 slabs of the 5-deep fixture); same numbers, and
     * a channels-last source gives a channels-last output (the slabs are joined in its layout).
     */
    @ParameterizedTest(name = "channels-last source: {0}")
    @ValueSource(booleans = {false, true})
    void volumeCutIntoSlabsPerThreadMatchesReference(boolean channelsLast) {
        int threads = Torch.threads();
        try {
            Torch.setThreads(5);
            check("stn3d.npz", channelsLast);
        } finally {
            Torch.setThreads(threads);
        }
    }

    private static void check(String file) {
        check(file, false);
    }

    private static void check(String file, boolean channelsLast) {
        Map<String, NpyArray> fx = Fixtures.load(file);
        try (StepScope s = StepScope.open()) {
            Tensor src = Fixtures.tensor(fx.get("src"));
            if (channelsLast) {
                assertTrue(src.size(1) > 1, "the fixture's source has several channels (else both layouts are one)");
                src = Ops.channelsLast(src);
            }
            Tensor flow = Fixtures.tensor(fx.get("flow"));
            src.set_requires_grad(true);
            flow.set_requires_grad(true);
            Tensor out = Warp.apply(src, flow);
            assertEquals(channelsLast, Ops.isChannelsLast(out), "the output's layout follows the source's");
            Fixtures.assertClose(file + " out", fx.get("out"), out, 1e-5, 1e-6);
            Tensor zero = Warp.apply(src, Ops.zeros(flow, flow.shape()));
            Fixtures.assertClose(file + " out_zero_flow", fx.get("out_zero_flow"), zero, 1e-5, 1e-6);
            out.mul(Fixtures.tensor(fx.get("gout"))).sum().backward();
            Fixtures.assertClose(file + " dsrc", fx.get("dsrc"), src.grad(), 1e-5, 1e-6);
            Fixtures.assertClose(file + " dflow", fx.get("dflow"), flow.grad(), 1e-5, 1e-5);
        }
    }
}
