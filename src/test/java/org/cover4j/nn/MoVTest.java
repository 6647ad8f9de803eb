package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.testing.Fixtures;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * MoV 2D/3D against the reference (fixtures mov2d/mov3d, cases A and B): output, softmax weights, templates, and the
 * hand-written gradients against the reference's autograd gradients.
 */
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
            try (MoV.Result r = MoV.forward(q, k, heads, amp)) {
                Fixtures.assertClose(file + prefix + " out", fx.get(prefix + "out"), r.out(), 1e-5, 1e-6);
                Fixtures.assertClose(file + prefix + " attn", fx.get(prefix + "attn"), r.attn(), 1e-5, 1e-6);
                Tensor[] grads = MoV.backward(r, Fixtures.tensor(fx.get(prefix + "gout")));
                Fixtures.assertClose(file + prefix + " dq", fx.get(prefix + "dq"), grads[0], 1e-5, 1e-6);
                Fixtures.assertClose(file + prefix + " dk", fx.get(prefix + "dk"), grads[1], 1e-5, 1e-6);
                // Dropping the weights and recomputing them in backward gives the same gradients, bit for bit.
                try (MoV.Result dropped = MoV.forward(q, k, heads, amp).withoutWeights()) {
                    assertNull(dropped.attn());
                    Tensor[] again = MoV.backward(dropped, Fixtures.tensor(fx.get(prefix + "gout")));
                    assertArrayEquals(Tensors.toArray(grads[0]), Tensors.toArray(again[0]), file + prefix + " dq recomputed");
                    assertArrayEquals(Tensors.toArray(grads[1]), Tensors.toArray(again[1]), file + prefix + " dk recomputed");
                }
            }
        }
    }
}
