package org.cover4j.downstream;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A segmentation head on a coarse level: a 1×1 convolution there, its logits upsampled bilinearly (align_corners=False)
 * to full resolution — against a brute-force 1×1 convolution and bilinear interpolation written out here.
 */
class SegmentationHeadTest {
    private static final int B = 2, K = 3, H = 32, W = 48;
    private static final int[] CH = {4, 5, 6, 7, 8};

    @Test
    void headOnLevelFourGivesFullResolutionLogitsOfItsUpsampledConvolution() {
        try (StepScope s = StepScope.open()) {
            Rng rng = new Rng(11);
            List<Tensor> levels = new ArrayList<>();
            List<float[]> values = new ArrayList<>();
            for (int l = 0; l < 5; l++) {
                float[] v = new float[B * CH[l] * (H >> l) * (W >> l)];
                for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
                values.add(v);
                levels.add(Tensors.of(v, B, CH[l], H >> l, W >> l));
            }
            for (int level : new int[] {0, 2, 4}) {
                Params p = new Params(Devices.parse("cpu"));
                SegmentationHead head = new SegmentationHead(p, 2, CH[level], K, level, new Rng(5));
                Tensor logits = head.apply(levels);
                assertArrayEquals(new long[] {B, K, H, W}, logits.shape(), "level " + level);
                float[] expected = expected(values.get(level), CH[level], H >> level, W >> level, Tensors.toArray(p.get("seg_head.weight")),
                        Tensors.toArray(p.get("seg_head.bias")));
                assertArrayEquals(expected, Tensors.toArray(logits), 1e-4f, "level " + level);
            }
        }
    }

    @Test
    void aLevelOutsideZeroToFourIsRefusedInOneLine() {
        for (int bad : new int[] {-1, 5}) {
            CoverException e = assertThrows(CoverException.class, () -> new SegmentationHead(new Params(Devices.parse("cpu")), 2, 4, K, bad, new Rng(1)));
            assertEquals("--probe-level must be 0 (finest, full resolution) to 4 (1/16 resolution), got " + bad, e.getMessage());
        }
    }

    /** 1×1 convolution at (h, w), then PyTorch's bilinear upsampling to (H, W) with align_corners=False, by hand. */
    private static float[] expected(float[] f, int c, int h, int w, float[] weight, float[] bias) {
        double[] small = new double[B * K * h * w];
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < K; k++) {
                for (int q = 0; q < h * w; q++) {
                    double acc = bias[k];
                    for (int ci = 0; ci < c; ci++) acc += weight[k * c + ci] * f[(b * c + ci) * h * w + q];
                    small[(b * K + k) * h * w + q] = acc;
                }
            }
        }
        float[] out = new float[B * K * H * W];
        for (int bk = 0; bk < B * K; bk++) {
            for (int y = 0; y < H; y++) {
                double sy = Math.max(0, (y + 0.5) * h / H - 0.5);
                int y0 = (int) Math.floor(sy), y1 = Math.min(y0 + 1, h - 1);
                double ly = sy - y0;
                for (int x = 0; x < W; x++) {
                    double sx = Math.max(0, (x + 0.5) * w / W - 0.5);
                    int x0 = (int) Math.floor(sx), x1 = Math.min(x0 + 1, w - 1);
                    double lx = sx - x0;
                    int o = bk * h * w;
                    double v = (1 - ly) * ((1 - lx) * small[o + y0 * w + x0] + lx * small[o + y0 * w + x1])
                            + ly * ((1 - lx) * small[o + y1 * w + x0] + lx * small[o + y1 * w + x1]);
                    out[(bk * H + y) * W + x] = (float) v;
                }
            }
        }
        return out;
    }
}
