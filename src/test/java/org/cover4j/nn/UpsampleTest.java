package org.cover4j.nn;

import org.cover4j.io.NpyArray;
import org.cover4j.testing.Fixtures;
import org.cover4j.torch.Ops;
import org.cover4j.torch.StepScope;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** Both ×2 upsampling modes, 2D and 3D, against nn.Upsample (fixture upsample.npz). */
class UpsampleTest {
    @Test
    void matchesReferenceInBothModes() {
        Map<String, NpyArray> fx = Fixtures.load("upsample.npz");
        try (StepScope s = StepScope.open()) {
            Fixtures.assertClose("bilinear ac=True", fx.get("bilinear_ac_true"), Ops.upsample2x(Fixtures.tensor(fx.get("x2d")), true), 1e-5, 1e-6);
            Fixtures.assertClose("bilinear ac=False", fx.get("bilinear_ac_false"), Ops.upsample2x(Fixtures.tensor(fx.get("x2d")), false), 1e-5, 1e-6);
            Fixtures.assertClose("trilinear ac=True", fx.get("trilinear_ac_true"), Ops.upsample2x(Fixtures.tensor(fx.get("x3d")), true), 1e-5, 1e-6);
            Fixtures.assertClose("trilinear ac=False", fx.get("trilinear_ac_false"), Ops.upsample2x(Fixtures.tensor(fx.get("x3d")), false), 1e-5, 1e-6);
        }
    }
}
