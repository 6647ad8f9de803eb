package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Profiler;
import org.cover4j.torch.StepScope;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The convolution work that {@link UNetPass} records in a profile ({@code --profile}'s GFLOP/s) against a count made by
 * hand from the U-Net's layout (SPEC §2): every convolution once forward, twice backward (input and weight gradients)
 * but the first, whose input gradient is not needed and whose forward is run again in backward — whatever the chunks.
 */
class UNetPassWorkTest {
    @AfterEach
    void off() {
        Profiler.disable();
    }

    @ParameterizedTest(name = "{0}D, {1} image(s) per chunk")
    @CsvSource({"2,2", "3,1"})
    void convolutionWorkIsTheHandCount(int dims, long perChunk) {
        int size = dims == 2 ? 32 : 16;
        int batch = 2;
        int[] ch = CoverConfig.SMALL_CHANNELS;
        // conv (cin -> cout) at level l: 2 * batch * voxels(l) * cout * cin * 3^d operations
        List<double[]> convs = new ArrayList<>(); // {level, cin, cout}
        convs.add(new double[] {0, 1, ch[0]});
        convs.add(new double[] {0, ch[0], ch[0]});
        for (int i = 0; i < 4; i++) {
            convs.add(new double[] {i + 1, ch[i], ch[i + 1]});
            convs.add(new double[] {i + 1, ch[i + 1], ch[i + 1]});
        }
        for (int i = 0; i < 4; i++) {
            int deeper = i == 0 ? ch[4] : ch[4 + i];
            convs.add(new double[] {3 - i, deeper + ch[3 - i], ch[5 + i]});
            convs.add(new double[] {3 - i, ch[5 + i], ch[5 + i]});
        }
        double forward = 0;
        double first = 0;
        for (double[] c : convs) {
            double voxels = Math.pow(size >> (int) c[0], dims);
            double f = 2.0 * batch * voxels * c[2] * c[1] * Math.pow(3, dims);
            if (forward == 0) first = f;
            forward += f;
        }

        Profiler.enable(false);
        try (StepScope s = StepScope.open()) {
            Rng rng = new Rng(5);
            UNet net = new UNet(new Params(Devices.parse("cpu")), "", dims, 1, ch, rng);
            long[] shape = dims == 2 ? new long[] {batch, 1, size, size} : new long[] {batch, 1, size, size, size};
            Tensor images = UNetPassTest.random(rng, shape);
            UNetPass p = UNetPass.run(net, images, perChunk);
            List<Tensor> grads = new ArrayList<>();
            for (Tensor level : p.levels()) grads.add(UNetPassTest.random(rng, level.shape()));
            p.backward(grads);
        }
        Profiler.stepDone(1_000_000);
        Map<String, Profiler.Row> rows = Profiler.disable().rows(true).stream().collect(Collectors.toMap(Profiler.Row::name, r -> r));
        assertEquals(forward / 1e9, rows.get("unet conv fwd").gflopPerStep(), 1e-9 * forward / 1e9);
        assertEquals(2 * (forward - first) / 1e9, rows.get("unet conv bwd").gflopPerStep(), 1e-9 * forward / 1e9);
        assertEquals(first / 1e9, rows.get("unet conv bwd (weight only)").gflopPerStep(), 1e-12 + 1e-9 * first / 1e9);
        assertEquals(first / 1e9, rows.get("unet conv recompute (first)").gflopPerStep(), 1e-12 + 1e-9 * first / 1e9);
    }
}
