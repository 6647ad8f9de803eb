package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Params;
import org.bytedeco.pytorch.GradMode;
import org.cover4j.nn.Backbone;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.util.Rng;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backbone (the U-Net or another {@link BackboneSpec}; parameter names {@code backbone.*}, exactly as in a COVER checkpoint, so pre-trained
 * weights load unchanged) with a task head. Backbone and head keep their tensors in separate {@link Params}
 * so that a linear probe hands only the head to the optimizer; the state dict is the two concatenated.
 */
public final class DownstreamNet {
    public static final String BACKBONE_PREFIX = "backbone.";

    private final ModelSpec spec;
    private final Params backboneParams;
    private final Backbone backbone;
    private final Head head;

    /** A freshly initialised network; the same seed gives the same weights (backbone as a COVER model's). */
    public DownstreamNet(ModelSpec spec, Device device, Rng rng) {
        this.spec = spec;
        this.backboneParams = new Params(device);
        this.backbone = initialBackbone(backboneParams, spec.backbone(), spec.dims(), spec.inChannels(), spec.patch(), rng);
        Params headParams = new Params(device);
        int[] lc = backbone.levelChannels();
        Rng headRng = rng.derive(8);
        int level = spec.headLevel();
        this.head = spec.task() == Task.SEG
                ? new SegmentationHead(headParams, spec.dims(), lc[level], spec.numClasses(), level, headRng)
                : new ClassificationHead(headParams, lc[level], spec.numClasses(), level, headRng);
        backbone.train(true);
    }

    /**
     * {@code spec}'s backbone for inputs of {@code size} registered in {@code params} under {@link #BACKBONE_PREFIX},
     * initialised exactly as the backbone of a pre-training run seeded like {@code runRng} starts ("from scratch" = the
     * weights pre-training would start from).
     */
    public static Backbone initialBackbone(Params params, BackboneSpec spec, int dims, int inChannels, int[] size, Rng runRng) {
        // derive(7).derive(1) is the stream every method's backbone is drawn from for the same seed (Methods.backbone).
        return spec.build(params, BACKBONE_PREFIX, dims, inChannels, size, runRng.derive(7).derive(1));
    }

    public Backbone backbone() {
        return backbone;
    }

    public ModelSpec spec() {
        return spec;
    }

    public Params backboneParams() {
        return backboneParams;
    }

    public Params headParams() {
        return head.params();
    }

    /**
     * Shrink and perturb ({@code --init-shrink}, Ash &amp; Adams 2020, "On warm-starting neural network training"): every
     * trainable backbone tensor not in {@code keptFresh} becomes {@code keep} × its loaded (pre-trained) value +
     * (1 − {@code keep}) × its value in {@code fresh}, the seed's fresh initialisation. Buffers (BatchNorm statistics) keep
     * the loaded values. {@code keep} = 1 leaves the loaded weights bitwise as they are.
     */
    public void shrinkBackbone(Map<String, float[]> fresh, List<String> keptFresh, double keep) {
        if (keep == 1) return;
        LinkedHashMap<String, float[]> mixed = new LinkedHashMap<>();
        LinkedHashMap<String, float[]> loaded = backboneParams.toArrays();
        for (String name : backboneParams.trainableNames()) {
            if (keptFresh.contains(name)) continue;
            float[] w = loaded.get(name);
            float[] f = fresh.get(name);
            for (int i = 0; i < w.length; i++) w[i] = (float) (keep * w[i] + (1 - keep) * f[i]);
            mixed.put(name, w);
        }
        backboneParams.load(mixed, backboneParams.shapes(), "the shrunk pre-trained weights", false);
    }

    /**
     * Loads pre-trained backbone tensors ({@code --init}): all of them, or with {@link InitScope#ENCODER} only those the
     * backbone counts as its encoder. Every tensor must fit in either case (the checkpoint is checked whole), and the
     * others keep, bitwise, the fresh initialisation they had. Returns the names of the tensors left fresh.
     */
    public List<String> loadBackbone(StateDicts.StateDict w, Path source, InitScope scope) {
        if (scope == InitScope.ALL) {
            BackboneWeights.load(backboneParams, w, source);
            return List.of();
        }
        LinkedHashMap<String, float[]> fresh = backboneParams.toArrays();
        fresh.keySet().removeIf(n -> backbone.isEncoderTensor(n.substring(BACKBONE_PREFIX.length())));
        BackboneWeights.load(backboneParams, w, source);
        backboneParams.load(fresh, backboneParams.shapes(), "the fresh initialisation", false);
        return List.copyOf(fresh.keySet());
    }

    /**
     * Logits for {@code x} (B, C, *S). With {@code frozenBackbone} the backbone runs without autograd (linear probe).
     * A backbone with BatchNorm layers is in training mode exactly when its weights are being trained (grad mode on and
     * not frozen): validation, prediction and a frozen probe use its running statistics and leave them unchanged.
     */
    public Tensor forward(Tensor x, boolean frozenBackbone) {
        backbone.train(GradMode.is_enabled() && !frozenBackbone);
        List<Tensor> levels;
        if (frozenBackbone) {
            try (NoGradGuard g = new NoGradGuard()) {
                levels = backbone.levels(x);
            }
        } else {
            levels = backbone.levels(x);
        }
        return head.apply(levels);
    }

    /** The whole state dict (backbone then head), for checkpoints. */
    public LinkedHashMap<String, float[]> toArrays() {
        LinkedHashMap<String, float[]> out = backboneParams.toArrays();
        out.putAll(head.params().toArrays());
        return out;
    }

    public Map<String, long[]> shapes() {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>(backboneParams.shapes());
        out.putAll(head.params().shapes());
        return out;
    }

    /** Loads a whole state dict written by {@link #toArrays()}; names and shapes must match exactly. */
    public void load(Map<String, float[]> values, Map<String, long[]> shapes, String source) {
        Map<String, float[]> bv = new LinkedHashMap<>();
        Map<String, float[]> hv = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            (e.getKey().startsWith(BACKBONE_PREFIX) ? bv : hv).put(e.getKey(), e.getValue());
        }
        backboneParams.load(bv, shapes, source);
        head.params().load(hv, shapes, source);
    }

    /** Number of trainable scalars (backbone + head). */
    public long count() {
        return backboneParams.count() + head.params().count();
    }
}
