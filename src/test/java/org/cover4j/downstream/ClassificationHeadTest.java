package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** A classification head on level L pools that level (mean over pixels) and applies its linear layer — by hand here. */
class ClassificationHeadTest {
    @Test
    void aHeadOnLevelTwoPoolsLevelTwo() {
        int b = 2, k = 3, h = 16, w = 8;
        int[] ch = {4, 5, 6, 7, 8};
        try (StepScope s = StepScope.open()) {
            Rng rng = new Rng(2);
            List<Tensor> levels = new ArrayList<>();
            float[] level2 = null;
            for (int l = 0; l < 5; l++) {
                float[] v = new float[b * ch[l] * (h >> l) * (w >> l)];
                for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
                if (l == 2) level2 = v;
                levels.add(Tensors.of(v, b, ch[l], h >> l, w >> l));
            }
            Params p = new Params(Devices.parse("cpu"));
            ClassificationHead head = new ClassificationHead(p, ch[2], k, 2, new Rng(7));
            float[] wt = Tensors.toArray(p.get("cls_head.weight"));
            float[] bias = Tensors.toArray(p.get("cls_head.bias"));
            int c = ch[2], n = (h >> 2) * (w >> 2);
            float[] expected = new float[b * k];
            for (int i = 0; i < b; i++) {
                for (int kk = 0; kk < k; kk++) {
                    double acc = bias[kk];
                    for (int ci = 0; ci < c; ci++) {
                        double mean = 0;
                        for (int q = 0; q < n; q++) mean += level2[(i * c + ci) * n + q];
                        acc += wt[kk * c + ci] * mean / n;
                    }
                    expected[i * k + kk] = (float) acc;
                }
            }
            assertArrayEquals(expected, Tensors.toArray(head.apply(levels)), 1e-5f);
        }
    }
}
