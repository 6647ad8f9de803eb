package org.cover4j.train;

import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Adam's parameter groups: a scaled learning rate moves its parameters by exactly the scaled step. */
class AdamTest {
    @Test
    void aScaledGroupTakesTheScaledFirstStep() {
        Params p = new Params(Devices.parse("cpu"));
        p.add("a", new float[] {1f}, 1);
        p.add("b", new float[] {1f}, 1);
        try (Optimizer adam = new Adam(p, 0).scaleLr(List.of("b"), 0.1); StepScope s = StepScope.open()) {
            p.get("a").mul(p.get("a")).sum().add(p.get("b").mul(p.get("b")).sum()).backward();
            adam.step(0.5);
            // First Adam step: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) = lr·sign(g) (g = 2 here).
            assertEquals(1 - 0.5, Tensors.toArray(p.get("a"))[0], 1e-6);
            assertEquals(1 - 0.05, Tensors.toArray(p.get("b"))[0], 1e-6);
            assertThrows(IllegalArgumentException.class, () -> adam.scaleLr(List.of("c"), 2));
        }
    }
}
