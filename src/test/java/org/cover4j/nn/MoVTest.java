package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.testing.Fixtures;
import org.cover4j.torch.StepScope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** MoV 2D/3D against the reference (fixtures mov2d/mov3d, cases A and B): output, softmax weights, templates, gradients. */
class MoVTest {
    @ParameterizedTest
    @CsvSource({"mov2d.npz,''", "mov2d.npz,b_", "mov3d.npz,''", "mov3d.npz,b_"})
    void matchesReference(String file, String prefix) {
        Map<String, NpyArray> fx = Fixtures.load(file);
        int heads = (int) fx.get(prefix + "num_heads").scalar();
        int amp = (int) fx.get(prefix + "amp").scalar();
        int nd = fx.get(prefix + "q").shape().length - 2;
        assertArrayEquals(fx.get(prefix + "template").floats(), MoV.templates(nd, amp), "template order");
        try (StepScope s = StepScope.open()) {
            Tensor q = Fixtures.tensor(fx.get(prefix + "q"));
            Tensor k = Fixtures.tensor(fx.get(prefix + "k"));
            q.set_requires_grad(true);
            k.set_requires_grad(true);
            Tensor[] attn = new Tensor[1];
            Tensor out = MoV.apply(q, k, heads, amp, attn);
            Fixtures.assertClose(file + prefix + " out", fx.get(prefix + "out"), out, 1e-5, 1e-6);
            Fixtures.assertClose(file + prefix + " attn", fx.get(prefix + "attn"), attn[0], 1e-5, 1e-6);
            out.mul(Fixtures.tensor(fx.get(prefix + "gout"))).sum().backward();
            Fixtures.assertClose(file + prefix + " dq", fx.get(prefix + "dq"), q.grad(), 1e-5, 1e-6);
            Fixtures.assertClose(file + prefix + " dk", fx.get(prefix + "dk"), k.grad(), 1e-5, 1e-6);
        }
    }
}
