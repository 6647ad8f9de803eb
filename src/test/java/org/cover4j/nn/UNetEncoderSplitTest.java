package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@link UNet#isEncoderTensor}: the U-Net's encoder is exactly the set of parameters the bottleneck (level 4) depends on —
 * measured independently here as the parameters that receive a gradient from it — and nothing outside the prefix.
 */
class UNetEncoderSplitTest {
    @Test
    void encoderTensorsAreThoseTheBottleneckDependsOn() {
        try (StepScope s = StepScope.open()) {
            Params params = new Params(Devices.parse("cpu"));
            UNet unet = new UNet(params, "backbone.", 2, 1, new int[] {8, 16, 32, 64, 128, 64, 32, 16, 8}, new Rng(3));
            Rng rng = new Rng(4);
            float[] v = new float[2 * 32 * 32];
            for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextDouble();
            Tensor deepest = unet.levels(Tensors.of(v, 2, 1, 32, 32)).get(4);
            deepest.mul(deepest).sum().backward();
            int encoder = 0;
            for (String name : params.names()) {
                Tensor g = params.get(name).grad();
                boolean reached = g != null && !g.isNull() && g.defined() && Tensors.toArray(g.abs().sum())[0] > 0;
                assertEquals(reached, unet.isEncoderTensor(name.substring("backbone.".length())), name);
                if (reached) encoder++;
            }
            // 5 encoder DoubleConvs (inc, down1..4) of 8 tensors each (2 × conv weight, bias, GroupNorm weight, bias); 4 decoder ones.
            assertEquals(40, encoder);
            assertEquals(72, params.names().size());
            assertFalse(unet.isEncoderTensor("up1.conv.double_conv.0.weight"), "names are relative to the backbone's prefix");
            assertFalse(unet.isEncoderTensor("backbone.inc.double_conv.0.weight"));
        }
    }
}
