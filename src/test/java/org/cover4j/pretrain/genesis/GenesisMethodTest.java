package org.cover4j.pretrain.genesis;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.ModelsGenesis;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Params;
import org.cover4j.pretrain.IndexImages;
import org.cover4j.pretrain.Methods;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models Genesis's loss against double-precision hand computations: the head (1×1 convolution, sigmoid) and the mean
 * squared error on a tiny tensor, then the whole forward pass (the distorted input through the U-Net's finest level,
 * the clean target in the loss); and its sample is a distortion of a crop of the network's size.
 */
class GenesisMethodTest {
    private static final int[] CHANNELS = {8, 16, 32, 64, 128, 64, 32, 16, 8};

    static PretrainConfig config(int dims, int size) {
        PretrainSettings common = PretrainSettings.builder().method("genesis").dims(dims).size(size).seed(3).threads(1).build();
        return new PretrainConfig(common, GenesisSettings.DEFAULTS, BackboneSpec.unet(CHANNELS));
    }

    @Test
    void headAndLossAreTheMeanSquaredErrorOfTheSigmoidOfA1x1Convolution() {
        try (StepScope s = StepScope.open()) {
            Params params = new Params(Devices.parse("cpu"));
            RestorationHead head = new RestorationHead(params, 2, 8, new Rng(1));
            Rng rng = new Rng(2);
            int b = 2, c = 8, h = 3, w = 4;
            float[] f = random(rng, b * c * h * w, 2.0);
            float[] t = random(rng, b * h * w, 0.5);
            for (int i = 0; i < t.length; i++) t[i] += 0.5f;
            Tensor loss = GenesisMethod.restorationLoss(head.apply(Tensors.of(f, b, c, h, w)), Tensors.of(t, b, 1, h, w));

            float[] weight = Tensors.toArray(params.get("head.weight"));
            double bias = Tensors.toArray(params.get("head.bias"))[0];
            double sum = 0;
            for (int n = 0; n < b; n++) {
                for (int p = 0; p < h * w; p++) {
                    double z = bias;
                    for (int k = 0; k < c; k++) z += weight[k] * f[(n * c + k) * h * w + p];
                    double restored = 1 / (1 + Math.exp(-z));
                    double d = restored - t[n * h * w + p];
                    sum += d * d;
                }
            }
            double expected = sum / (b * h * w);
            assertEquals(expected, loss.item_double(), 1e-6 * expected);
        }
    }

    /** The step's loss is the hand MSE of the head on the finest level of a U-Net with the same weights. */
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void forwardRestoresTheDistortedInputAgainstTheCleanTarget(int dims) {
        int size = dims == 2 ? 32 : 16;
        PretrainConfig config = config(dims, size);
        GenesisMethod method = new GenesisMethod(config, Devices.parse("cpu"));
        int voxels = (int) Math.pow(size, dims);
        Rng rng = new Rng(4);
        int[] spatial = new int[dims];
        Arrays.fill(spatial, size);
        List<ModelsGenesis.Pair> batch = new ArrayList<>();
        for (int i = 0; i < 2; i++) batch.add(new ModelsGenesis.Pair(spatial, random(rng, voxels, 1.0), random(rng, voxels, 1.0)));
        try (StepScope s = StepScope.open()) {
            double loss = method.forward(batch).loss().item_double();

            // The same backbone, built independently from the stream every method's backbone comes from.
            Params same = new Params(Devices.parse("cpu"));
            var unet = config.backbone().build(same, PretrainMethod.BACKBONE, dims, 1, null, Methods.modelRng(3).derive(1));
            float[] inputs = concat(batch.get(0).input(), batch.get(1).input());
            long[] shape = new long[2 + dims];
            shape[0] = 2;
            shape[1] = 1;
            for (int d = 0; d < dims; d++) shape[2 + d] = size;
            float[] finest = Tensors.toArray(unet.levels(Tensors.of(inputs, shape)).get(0));
            float[] weight = Tensors.toArray(method.state().get("head.weight"));
            double bias = Tensors.toArray(method.state().get("head.bias"))[0];
            double sum = 0;
            for (int n = 0; n < 2; n++) {
                for (int p = 0; p < voxels; p++) {
                    double z = bias;
                    for (int k = 0; k < 8; k++) z += weight[k] * finest[(n * 8 + k) * voxels + p];
                    double d = 1 / (1 + Math.exp(-z)) - batch.get(n).target()[p];
                    sum += d * d;
                }
            }
            double expected = sum / (2.0 * voxels);
            assertEquals(expected, loss, 1e-5 * expected);
        }
        assertEquals(List.of("loss_mse", "loss"), method.lossNames());
        assertEquals("backbone.inc.double_conv.0.weight", method.state().names().get(0));
        assertArrayEquals(dims == 2 ? new long[] {1, 8, 1, 1} : new long[] {1, 8, 1, 1, 1}, method.state().shape("head.weight"));
    }

    /**
     * With every voxel of the loader-size image distinct (its flat index), the clean target holds exactly the values of
     * one box of the network's size (flips move them, never change them), and the sample comes from the sample's rng.
     */
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void sampleIsADistortedCropOfTheNetworksSize(int dims) {
        PretrainConfig config = config(dims, 16);
        GenesisMethod method = new GenesisMethod(config, Devices.parse("cpu"));
        int loader = config.common().loaderSize();
        float[] image = IndexImages.image(dims, loader);
        for (int seed = 0; seed < 5; seed++) {
            ModelsGenesis.Pair p = method.sample(image, new Rng(seed));
            assertEquals((int) Math.pow(16, dims), p.target().length);
            assertEquals(p.target().length, p.input().length);
            float[] values = p.target().clone();
            Arrays.sort(values);
            float[] box = IndexImages.box(dims, loader, 16, (int) values[0]);
            Arrays.sort(box);
            assertArrayEquals(box, values, 0f, "seed " + seed + ": the target is a box of the image");
            assertArrayEquals(p.input(), method.sample(image, new Rng(seed)).input(), 0f, "same rng, same sample");
        }
    }

    private static float[] random(Rng rng, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextGaussian() * scale);
        return v;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
