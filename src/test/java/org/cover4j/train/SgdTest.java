package org.cover4j.train;

import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** SGD against PyTorch's update rule worked by hand on loss = p² (gradient 2p), two steps. */
class SgdTest {
    private static double twoSteps(double momentum, boolean nesterov, double weightDecay) {
        Params p = new Params(Devices.parse("cpu"));
        p.add("p", new float[] {1f}, 1);
        try (Optimizer sgd = Optimizer.create("sgd", p, weightDecay, momentum, nesterov)) {
            for (int i = 0; i < 2; i++) {
                try (StepScope s = StepScope.open()) {
                    GradClip.zeroGrad(p);
                    p.get("p").mul(p.get("p")).sum().backward();
                    sgd.step(0.1);
                }
            }
            assertEquals(2, sgd.stepCount());
        }
        return Tensors.toArray(p.get("p"))[0];
    }

    @Test
    void matchesTheUpdateRuleByHand() {
        // plain: 1 - 0.1·2 = 0.8; 0.8 - 0.1·1.6 = 0.64
        assertEquals(0.64, twoSteps(0, false, 0), 1e-6);
        // momentum 0.9: b = 2, p = 0.8; g = 1.6, b = 0.9·2 + 1.6 = 3.4, p = 0.8 - 0.34 = 0.46
        assertEquals(0.46, twoSteps(0.9, false, 0), 1e-6);
        // Nesterov: b = 2, d = 2 + 0.9·2 = 3.8, p = 0.62; g = 1.24, b = 1.8 + 1.24 = 3.04, d = 1.24 + 2.736 = 3.976, p = 0.2224
        assertEquals(0.2224, twoSteps(0.9, true, 0), 1e-6);
        // weight decay 0.5: g' = 2p + 0.5p = 2.5p; plain: 1 - 0.25 = 0.75; 0.75 - 0.1·1.875 = 0.5625
        assertEquals(0.5625, twoSteps(0, false, 0.5), 1e-6);
    }

    @Test
    void refusesWhatPyTorchRefuses() {
        Params p = new Params(Devices.parse("cpu"));
        p.add("p", new float[] {1f}, 1);
        assertThrows(CoverException.class, () -> new Sgd(p, 0, 0, true));
        assertThrows(CoverException.class, () -> new Sgd(p, 0, 1.0, false));
        assertThrows(CoverException.class, () -> Optimizer.create("lars", p, 0, 0.9, false));
    }
}
