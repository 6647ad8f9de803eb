package org.cover4j.nn;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Precision;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --precision bf16} in the U-Net's hand-written {@link UNetPass}, against two oracles, in 2D and 3D (16³ reaches
 * the 2-voxel levels where a libtorch bf16 kernel needs float32, see {@code Precision#forConvolution}).
 *
 * <p>(1) Exactness of the hand-written backward in bf16: autograd through {@link UNet#levels} on the bfloat16 image runs
 * the same bfloat16 operations (convolutions on bfloat16 activations, mixed-type GroupNorm), so the levels and every
 * gradient must agree up to summation order and where the gradient sums are rounded to bfloat16 — a few bfloat16
 * roundings, 2⁻⁹ each: within 2e-2 of each tensor's scale (measured ≤ 6e-3).
 *
 * <p>(2) Closeness to float32: a bf16 pass perturbs every layer by about 2⁻⁹. The levels then differ by about
 * √18 layers × 2⁻⁹ ≈ 1% (bound 2e-2; above 1e-4, or bf16 was not used). The gradients do not follow such a
 * per-layer bound: a 1% change of the pre-activations moves the LeakyReLU kinks of a few per mille of the units, each
 * changing its gradient by ~100%, so the gradient changes by ~√(fraction) ≈ 5–10% per layer stack. The oracle is the
 * network's own sensitivity, measured: float32 autograd with only the weights rounded to bfloat16 (a perturbation
 * bf16 makes anyway). The bf16 gradients must differ from float32 by at most twice that (measured 1.3–1.6×) and keep
 * a cosine of at least 0.98 with them (measured ≥ 0.99).
 */
class UNetPassBf16Test {
    private static final int BATCH = 2;

    @AfterEach
    void restore() {
        Precision.set(Precision.FP32);
    }

    @ParameterizedTest(name = "{0}D, {1} image(s) per backward chunk")
    @CsvSource({"2,1", "3,1", "3,2"}) // 3D, 2: the whole batch, as bf16 chunks two volumes of 64³ by default
    void bf16PassIsExactAgainstBf16AutogradAndCloseToFp32(int dims, long perChunk) {
        try (StepScope s = StepScope.open()) {
            int size = dims == 2 ? 32 : 16;
            long[] shape = dims == 2 ? new long[] {BATCH, 1, size, size} : new long[] {BATCH, 1, size, size, size};
            Rng rng = new Rng(11 + dims);
            Tensor images = UNetPassTest.random(rng, shape);
            Params fp32 = new Params(Devices.parse("cpu"));
            Params roundedWeights = new Params(Devices.parse("cpu"));
            Params bf16Autograd = new Params(Devices.parse("cpu"));
            Params manual = new Params(Devices.parse("cpu"));
            UNet fp32Net = UNetPassTest.unet(fp32, dims);
            UNet roundedNet = UNetPassTest.unet(roundedWeights, dims);
            UNet autogradNet = UNetPassTest.unet(bf16Autograd, dims);
            UNet manualNet = UNetPassTest.unet(manual, dims);
            roundWeights(roundedWeights);

            List<Tensor> fp32Levels = fp32Net.levels(images);
            List<Tensor> grads = new ArrayList<>();
            for (int i = 0; i < 5; i++) grads.add(UNetPassTest.random(rng, fp32Levels.get(i).shape()));
            Autograd.backward(fp32Levels, grads);
            Autograd.backward(roundedNet.levels(images), grads);

            Precision.set(Precision.BF16);
            List<Tensor> autogradLevels = autogradNet.levels(images.to(torch.ScalarType.BFloat16));
            List<Tensor> bf16Grads = new ArrayList<>();
            for (Tensor g : grads) bf16Grads.add(g.to(torch.ScalarType.BFloat16));
            Autograd.backward(autogradLevels, bf16Grads);
            UNetPass pass = UNetPass.run(manualNet, images, perChunk);
            for (int i = 0; i < 5; i++) {
                Tensor level = pass.levels().get(i);
                assertEquals(torch.ScalarType.Float, level.scalar_type().intern(), "level " + i + " is handed out as float32");
                float[] actual = Tensors.toArray(level);
                UNetPassTest.assertClose("level " + i + " against bf16 autograd", Tensors.toArray(autogradLevels.get(i)), actual, 2e-2);
                double relative = relativeL2(Tensors.toArray(fp32Levels.get(i)), actual);
                assertTrue(relative < 2e-2 && relative > 1e-4, "level " + i + " differs from float32 by " + relative);
            }
            pass.backward(copies(grads));

            List<float[]> expected = new ArrayList<>();
            List<float[]> perturbed = new ArrayList<>();
            List<float[]> actual = new ArrayList<>();
            for (String name : fp32.trainableNames()) {
                Tensor g = manual.get(name).grad();
                assertEquals(torch.ScalarType.Float, g.scalar_type().intern(), name + " gradient is float32");
                actual.add(Tensors.toArray(g));
                expected.add(Tensors.toArray(fp32.get(name).grad()));
                perturbed.add(Tensors.toArray(roundedWeights.get(name).grad()));
                UNetPassTest.assertClose(name + " gradient against bf16 autograd", Tensors.toArray(bf16Autograd.get(name).grad().to(torch.ScalarType.Float)),
                        actual.get(actual.size() - 1), 2e-2);
            }
            assertEquals(9 * 8, actual.size(), "parameters compared");
            float[] e = concat(expected);
            float[] a = concat(actual);
            double sensitivity = relativeL2(e, concat(perturbed));
            double error = relativeL2(e, a);
            assertTrue(sensitivity > 0, "rounding the weights changes the gradients");
            assertTrue(error <= 2 * sensitivity, String.format("bf16 gradients differ from float32 by %.3g, twice the sensitivity is %.3g",
                    error, 2 * sensitivity));
            assertTrue(cosine(e, a) >= 0.98, "cosine of the bf16 and float32 gradients " + cosine(e, a));
        }
    }

    /** Every trainable tensor rounded to its nearest bfloat16 values (kept float32). */
    private static void roundWeights(Params params) {
        try (NoGradGuard g = new NoGradGuard()) {
            for (String name : params.trainableNames()) {
                Tensor w = params.get(name);
                w.copy_(w.to(torch.ScalarType.BFloat16).to(torch.ScalarType.Float));
            }
        }
    }

    private static List<Tensor> copies(List<Tensor> grads) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor g : grads) out.add(g.clone());
        return out;
    }

    private static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static double relativeL2(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double err = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            err += Math.pow((double) actual[i] - expected[i], 2);
            norm += Math.pow(expected[i], 2);
        }
        return Math.sqrt(err / norm);
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
