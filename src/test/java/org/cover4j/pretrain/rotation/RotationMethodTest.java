package org.cover4j.pretrain.rotation;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.RotationSample;
import org.cover4j.augment.Rotations;
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
import org.cover4j.train.Objective;
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
 * Rotation prediction against hand computations: cross-entropy and accuracy on a tiny logit table, the whole forward
 * pass (pooled deepest features of a U-Net with the same weights, a linear layer), and its samples: undoing the
 * label's rotation gives back a box of the image, so the label is what the network can recover.
 */
class RotationMethodTest {
    private static final int[] CHANNELS = {8, 16, 32, 64, 128, 64, 32, 16, 8};

    static PretrainConfig config(int dims, int size) {
        PretrainSettings common = PretrainSettings.builder().method("rotation").dims(dims).size(size).seed(3).threads(1).build();
        return new PretrainConfig(common, RotationSettings.DEFAULTS, BackboneSpec.unet(CHANNELS));
    }

    @Test
    void crossEntropyAndAccuracyOfATinyTable() {
        try (StepScope s = StepScope.open()) {
            float[] logits = {2f, 0.5f, -1f, 0f, /* */ 0.1f, 0.2f, 3f, -0.3f, /* */ 1f, 1f, 1f, 1f};
            int[] labels = {0, 1, 3};
            // -log softmax, by hand: row 0 picks logit 2 of {2, .5, -1, 0}; row 1 logit .2; row 2 a uniform row.
            double row0 = Math.log(Math.exp(2) + Math.exp(0.5) + Math.exp(-1) + Math.exp(0)) - 2;
            double row1 = Math.log(Math.exp(0.1) + Math.exp(0.2) + Math.exp(3) + Math.exp(-0.3)) - 0.2;
            double row2 = Math.log(4);
            Tensor t = Tensors.of(logits, 3, 4);
            assertEquals((row0 + row1 + row2) / 3, RotationLosses.crossEntropy(t, labels).item_double(), 1e-6);
            // Row 0 right, row 1 wrong (class 2 wins), row 2 a tie resolved to class 0 (wrong for label 3).
            assertEquals(1.0 / 3, RotationLosses.accuracy(t, labels), 1e-12);
        }
    }

    /** The step's loss and accuracy from the hand-pooled 5th level of an identical U-Net and the head's weights. */
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void forwardClassifiesThePooledDeepestFeatures(int dims) {
        int size = dims == 2 ? 32 : 16;
        PretrainConfig config = config(dims, size);
        RotationMethod method = new RotationMethod(config, Devices.parse("cpu"));
        int classes = Rotations.classes(dims);
        int voxels = (int) Math.pow(size, dims);
        Rng rng = new Rng(6);
        List<RotationSample> batch = new ArrayList<>();
        float[] inputs = new float[3 * voxels];
        for (int i = 0; i < 3; i++) {
            float[] image = new float[voxels];
            for (int v = 0; v < voxels; v++) image[v] = (float) rng.nextDouble();
            System.arraycopy(image, 0, inputs, i * voxels, voxels);
            batch.add(new RotationSample(image, (i * 3 + 1) % classes));
        }
        try (StepScope s = StepScope.open()) {
            Objective.Step step = method.forward(batch);

            Params same = new Params(Devices.parse("cpu"));
            var unet = config.backbone().build(same, PretrainMethod.BACKBONE, dims, 1, null, Methods.modelRng(3).derive(1));
            long[] shape = new long[2 + dims];
            shape[0] = 3;
            shape[1] = 1;
            for (int d = 0; d < dims; d++) shape[2 + d] = size;
            Tensor deepest = unet.levels(Tensors.of(inputs, shape)).get(4);
            int c = (int) deepest.size(1);
            int cells = (int) (deepest.numel() / (3L * c));
            float[] f = Tensors.toArray(deepest);
            float[] w = Tensors.toArray(method.state().get("head.weight"));
            float[] b = Tensors.toArray(method.state().get("head.bias"));
            double ce = 0;
            int right = 0;
            for (int n = 0; n < 3; n++) {
                double[] z = new double[classes];
                for (int k = 0; k < classes; k++) {
                    z[k] = b[k];
                    for (int ch = 0; ch < c; ch++) {
                        double mean = 0;
                        for (int p = 0; p < cells; p++) mean += f[(n * c + ch) * cells + p];
                        z[k] += w[k * c + ch] * mean / cells;
                    }
                }
                double norm = 0;
                int best = 0;
                for (int k = 0; k < classes; k++) {
                    norm += Math.exp(z[k]);
                    if (z[k] > z[best]) best = k;
                }
                int label = batch.get(n).label();
                ce += Math.log(norm) - z[label];
                if (best == label) right++;
            }
            assertEquals(ce / 3, step.loss().item_double(), 1e-5 * ce / 3);
            assertEquals(right / 3.0, step.monitors().get("acc"), 1e-12);
        }
        assertEquals(List.of("loss_ce", "loss"), method.lossNames());
        assertEquals(List.of("acc"), method.monitorNames());
        assertArrayEquals(new long[] {classes, 128}, method.state().shape("head.weight"));
    }

    /**
     * Network-free oracle: with every voxel of the image distinct, undoing a sample's rotation (label k, then the
     * inverse rotation, found by hand) gives back exactly one box of the image of the network's size; every label
     * occurs.
     */
    @ParameterizedTest(name = "{0}D")
    @ValueSource(ints = {2, 3})
    void undoingTheLabelsRotationGivesBackTheCrop(int dims) {
        PretrainConfig config = config(dims, 16);
        RotationMethod method = new RotationMethod(config, Devices.parse("cpu"));
        int loader = config.common().loaderSize();
        float[] image = IndexImages.image(dims, loader);
        int classes = Rotations.classes(dims);
        boolean[] seen = new boolean[classes];
        int rotated = 0;
        for (int seed = 0; seed < 40; seed++) {
            RotationSample s = method.sample(image, new Rng(seed));
            seen[s.label()] = true;
            float[] back = Rotations.rotate(s.image(), 1, 16, dims, inverse(dims, s.label()));
            float[] box = IndexImages.box(dims, loader, 16, (int) back[0]);
            assertArrayEquals(box, back, 0f, "seed " + seed + ", label " + s.label());
            if (!Arrays.equals(box, s.image())) rotated++;
        }
        for (int k = 0; k < classes; k++) assertTrue(seen[k], "label " + k + " drawn");
        assertTrue(rotated > 20, "most samples are turned: " + rotated);
    }

    /**
     * The inverse of a label: 2D quarter turns k and 4−k; in 3D the identity, and q quarter turns about an axis undone
     * by 4−q about the same one.
     */
    private static int inverse(int dims, int label) {
        if (dims == 2) return (4 - label) % 4;
        if (label == 0) return 0;
        int axis = (label - 1) / 3;
        int turns = (label - 1) % 3 + 1;
        return 1 + 3 * axis + (4 - turns - 1);
    }
}
