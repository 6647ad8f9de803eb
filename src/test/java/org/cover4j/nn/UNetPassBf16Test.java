package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Precision;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --precision bf16} in the U-Net: the levels and every parameter's gradient of the hand-written
 * {@link UNetPass} and of autograd through {@link UNet#levels}, both in bfloat16, against float32 autograd.
 */
class UNetPassBf16Test {
    private static final int BATCH = 2;

    @AfterEach
    void restore() {
        Precision.set(Precision.FP32);
    }

    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void probe(int dims) {
        try (StepScope s = StepScope.open()) {
            int size = dims == 2 ? 32 : 16;
            long[] shape = dims == 2 ? new long[] {BATCH, 1, size, size} : new long[] {BATCH, 1, size, size, size};
            Rng rng = new Rng(11 + dims);
            Tensor images = random(rng, shape);
            Params[] ps = new Params[5];
            UNet[] nets = new UNet[5];
            for (int i = 0; i < 5; i++) { ps[i] = new Params(Devices.parse("cpu")); nets[i] = unet(ps[i], dims); }
            // 1: fp32 with weights rounded to bf16
            for (String n : ps[1].trainableNames()) {
                try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                    Tensor w = ps[1].get(n);
                    w.copy_(w.to(torch.ScalarType.BFloat16).to(torch.ScalarType.Float));
                }
            }
            List<Tensor> lv0 = nets[0].levels(images);
            List<Tensor> grads = new ArrayList<>();
            for (int i = 0; i < 5; i++) grads.add(random(rng, lv0.get(i).shape()));
            Autograd.backward(lv0, grads);
            Autograd.backward(nets[1].levels(images), grads);
            Precision.set(Precision.BF16);
            Autograd.backward(nets[2].levels(images), grads);
            UNetPass pass = UNetPass.run(nets[3], images, 1);
            pass.backward(copies(grads));
            Tensor img16 = images.to(torch.ScalarType.BFloat16);
            List<Tensor> l4 = nets[4].levels(img16);
            List<Tensor> g16 = new ArrayList<>();
            for (Tensor g : grads) g16.add(g.to(torch.ScalarType.BFloat16));
            Autograd.backward(l4, g16);
            String[] what = {"", "fp32 rounded weights", "bf16 autograd", "bf16 hand-written", "bf16 autograd bf16 acts"};
            for (int k = 1; k < 5; k++) {
                double num = 0, den = 0, dot = 0, na = 0;
                double worstRel = 0;
                for (String n : ps[0].trainableNames()) {
                    float[] e = Tensors.toArray(ps[0].get(n).grad());
                    float[] a = Tensors.toArray(ps[k].get(n).grad().to(torch.ScalarType.Float));
                    double tn = 0, td = 0;
                    for (int i = 0; i < e.length; i++) { double d = a[i] - e[i]; num += d * d; den += (double) e[i] * e[i]; dot += (double) a[i] * e[i]; na += (double) a[i] * a[i]; tn += d*d; td += (double)e[i]*e[i]; }
                    worstRel = Math.max(worstRel, Math.sqrt(tn / td));
                }
                System.out.printf("%dD %s: global rel L2 %.3g, cosine %.5f, worst tensor rel L2 %.3g%n", dims, what[k], Math.sqrt(num / den), dot / Math.sqrt(den * na), worstRel);
            }
            // hand-written vs autograd bf16 activations
            double worst = 0;
            for (String n : ps[0].trainableNames()) {
                float[] e = Tensors.toArray(ps[4].get(n).grad().to(torch.ScalarType.Float));
                float[] a = Tensors.toArray(ps[3].get(n).grad());
                double tn = 0, td = 0, mx = 0, sc = 0;
                for (int i = 0; i < e.length; i++) { double d = a[i] - e[i]; tn += d*d; td += (double)e[i]*e[i]; mx = Math.max(mx, Math.abs(d)); sc = Math.max(sc, Math.abs(e[i])); }
                worst = Math.max(worst, mx / sc);
            }
            System.out.printf("%dD hand-written vs autograd-bf16-acts: worst max|d|/scale %.3g%n", dims, worst);
        }
    }

    private static List<Tensor> copies(List<Tensor> grads) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor g : grads) out.add(g.clone());
        return out;
    }

    private static UNet unet(Params params, int dims) {
        return new UNet(params, "", dims, 1, CoverConfig.SMALL_CHANNELS, new Rng(3));
    }

    private static Tensor random(Rng rng, long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensors.of(v, shape);
    }

    /** Relative L2 error. */
    private static void assertBf16Close(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double num = 0, den = 0, worst = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
            worst = Math.max(worst, Math.abs(d));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        System.out.printf("%s: rel L2 %.3g, max %.3g of scale%n", what, Math.sqrt(num / den), worst / scale);
    }
}
