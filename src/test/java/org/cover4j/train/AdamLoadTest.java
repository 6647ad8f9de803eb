package org.cover4j.train;

import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Torch;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Adam's saved moments load back only onto the architecture they were saved from. */
class AdamLoadTest {
    static Params params(long... shape) {
        Torch.load();
        Params p = new Params(Devices.parse("cpu"));
        int n = 1;
        for (long d : shape) n *= (int) d;
        p.add("conv.weight", new float[n], shape);
        p.add("conv.bias", new float[] {0, 0}, 2);
        return p;
    }

    @Test
    void momentsOfAnotherArchitectureAreRefusedByNameBeforeAnythingChanges() {
        Params small = params(2, 1, 3, 3);
        Adam saved = new Adam(small, 0);
        LinkedHashMap<String, float[]> state = saved.stateArrays();
        Map<String, long[]> shapes = saved.stateShapes();
        state.get("exp_avg/conv.bias")[1] = 0.25f;

        Adam same = new Adam(params(2, 1, 3, 3), 0);
        same.load(state, shapes, 7, "step-7.optim.safetensors");
        assertEquals(7, same.stepCount());
        assertArrayEquals(new float[] {0, 0.25f}, same.stateArrays().get("exp_avg/conv.bias"));

        // Same number of values, other shape (1x2x3x3): the shape check names the file and the tensor.
        Adam other = new Adam(params(1, 2, 3, 3), 0);
        CoverException e = assertThrows(CoverException.class, () -> other.load(state, shapes, 7, "step-7.optim.safetensors"));
        assertTrue(e.getMessage().startsWith("step-7.optim.safetensors: optimizer tensor exp_avg/conv.weight has shape [2, 1, 3, 3]")
                && e.getMessage().contains("[1, 2, 3, 3]") && e.getMessage().contains("another architecture"), e.getMessage());
        assertEquals(0, other.stepCount(), "nothing restored");
        // Without shapes (older files), the value count still has to fit.
        Adam bigger = new Adam(params(4, 1, 3, 3), 0);
        e = assertThrows(CoverException.class, () -> bigger.load(state, null, 7, "old.safetensors"));
        assertTrue(e.getMessage().contains("exp_avg/conv.weight has 18 values but the model's parameter has [4, 1, 3, 3]"), e.getMessage());
        // A tensor missing altogether.
        state.remove("exp_avg_sq/conv.bias");
        e = assertThrows(CoverException.class, () -> same.load(state, shapes, 7, "x.safetensors"));
        assertTrue(e.getMessage().contains("lacks exp_avg_sq/conv.bias"), e.getMessage());
    }
}
