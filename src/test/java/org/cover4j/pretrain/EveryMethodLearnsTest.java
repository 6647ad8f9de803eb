package org.cover4j.pretrain;

import org.cover4j.data.phantom.Phantoms;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Backbones;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.train.Adam;
import org.cover4j.train.GradClip;
import org.cover4j.train.Objective;
import org.cover4j.util.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard against silent non-training: for every registered method, in 2D and 3D, one optimizer step changes every
 * trainable parameter it has (the backbone's decoder excepted for methods that say they do not train it) and no
 * buffer (constants and EMA targets move only through the method's own hooks, which run after this check).
 * A hand-written backward pass that forgot a stage would leave some parameter untouched, and this test would say which.
 */
class EveryMethodLearnsTest {
    static final int[] TINY = {8, 16, 32, 64, 128, 64, 32, 16, 8};

    /** Every method on every backbone, in 2D, and in 3D where the backbone has a 3D form. */
    static Stream<Arguments> methodsBackbonesAndDims() {
        List<Arguments> a = new ArrayList<>();
        for (Backbones.Kind b : Backbones.all()) {
            for (String m : Methods.names()) {
                a.add(Arguments.of(m, b.name(), 2));
                if (b.supports3d()) a.add(Arguments.of(m, b.name(), 3));
            }
        }
        return a.stream();
    }

    /** The backbone at its smallest: the U-Net with few channels, the others at their test-sized preset. */
    static BackboneSpec tiny(String backbone) {
        return backbone.equals(BackboneSpec.UNET) ? BackboneSpec.unet(TINY) : new BackboneSpec(backbone, null, "tiny", null);
    }

    @ParameterizedTest(name = "{0} on {1} {2}D")
    @MethodSource("methodsBackbonesAndDims")
    <S> void oneStepChangesEveryTrainableParameter(String name, String backbone, int dims) {
        // 64² in 2D: at 32² the coarsest level is 2×2, where pixcl often finds no pixel whose whole block corresponds and
        // rightly leaves that level's projection alone for the step.
        PretrainSettings s = PretrainSettings.builder().method(name).dims(dims).size(dims == 2 ? 64 : 32).batch(2).steps(1).threads(2).build();
        PretrainConfig config = new PretrainConfig(s, Methods.get(name).defaults(), tiny(backbone));
        // Which tensors are the encoder's, asked of a throwaway copy of the backbone.
        org.cover4j.nn.Backbone shape = config.backbone().build(new org.cover4j.nn.Params(null), "", dims, 1, Methods.cube(dims, s.size()), new Rng(0));
        @SuppressWarnings("unchecked")
        PretrainMethod<S> method = (PretrainMethod<S>) Pretraining.method(config, Devices.parse("cpu"));
        List<S> batch = new ArrayList<>();
        for (int i = 0; i < s.batch(); i++) {
            float[] image = dims == 2 ? Phantoms.image2d(1, i, s.loaderSize()).image() : Phantoms.volume3d(1, i, s.loaderSize()).image();
            batch.add(method.sample(image, new Rng(3).derive(i)));
        }
        Map<String, float[]> before = method.state().toArrays();
        try (Adam adam = new Adam(method.trainable(), 0); StepScope scope = StepScope.open()) {
            Objective.Step step = method.forward(batch);
            assertTrue(step.problem() == null, step.problem());
            GradClip.zeroGrad(method.trainable());
            method.backward(step);
            adam.step(1e-3);
        }
        List<String> unchanged = new ArrayList<>();
        List<String> movedBuffers = new ArrayList<>();
        for (String n : method.state().names()) {
            boolean changed = !Arrays.equals(before.get(n), Tensors.toArray(method.state().get(n)));
            if (method.state().isBuffer(n) || !method.trainable().has(n)) {
                if (changed && !n.contains("running_") && !n.contains("num_batches")) movedBuffers.add(n);
                continue;
            }
            boolean decoder = n.startsWith(PretrainMethod.BACKBONE) && !shape.isEncoderTensor(n.substring(PretrainMethod.BACKBONE.length()));
            if (!changed && (method.trainsDecoder() || !decoder)) unchanged.add(n);
        }
        assertTrue(unchanged.isEmpty(), name + " on " + backbone + " " + dims + "D: one step left these trainable tensors unchanged: " + unchanged);
        assertTrue(movedBuffers.isEmpty(), name + " " + dims + "D: one optimizer step moved these non-trainable tensors: " + movedBuffers);
    }
}
