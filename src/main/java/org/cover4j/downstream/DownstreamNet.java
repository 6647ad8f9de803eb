package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Params;
import org.cover4j.nn.UNet;
import org.cover4j.util.Rng;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A U-Net backbone (parameter names {@code backbone.*}, exactly as in a COVER checkpoint, so pre-trained
 * weights load unchanged) with a task head. Backbone and head keep their tensors in separate {@link Params}
 * so that a linear probe hands only the head to the optimizer; the state dict is the two concatenated.
 */
public final class DownstreamNet {
    public static final String BACKBONE_PREFIX = "backbone.";

    private final ModelSpec spec;
    private final Params backboneParams;
    private final UNet backbone;
    private final Head head;

    /** A freshly initialised network; the same seed gives the same weights (backbone as a COVER model's). */
    public DownstreamNet(ModelSpec spec, Device device, Rng rng) {
        this.spec = spec;
        this.backboneParams = new Params(device);
        this.backbone = initialBackbone(backboneParams, spec.dims(), spec.inChannels(), spec.channels(), rng);
        Params headParams = new Params(device);
        int[] lc = backbone.levelChannels();
        Rng headRng = rng.derive(8);
        int level = spec.headLevel();
        this.head = spec.task() == Task.SEG
                ? new SegmentationHead(headParams, spec.dims(), lc[level], spec.numClasses(), level, headRng)
                : new ClassificationHead(headParams, lc[level], spec.numClasses(), level, headRng);
    }

    /**
     * A U-Net registered in {@code params} under {@link #BACKBONE_PREFIX}, initialised exactly as the backbone of a
     * COVER run seeded like {@code runRng} starts ("from scratch" = the weights pre-training would start from).
     */
    public static UNet initialBackbone(Params params, int dims, int inChannels, int[] channels, Rng runRng) {
        // derive(7).derive(1) is the stream CoverModel's backbone is drawn from for the same seed (Pretraining.method).
        return new UNet(params, BACKBONE_PREFIX, dims, inChannels, channels, runRng.derive(7).derive(1));
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
        fresh.keySet().removeIf(backbone::isEncoderTensor);
        BackboneWeights.load(backboneParams, w, source);
        backboneParams.load(fresh, backboneParams.shapes(), "the fresh initialisation", false);
        return List.copyOf(fresh.keySet());
    }

    /** Logits for {@code x} (B, C, *S). With {@code frozenBackbone} the backbone runs without autograd (linear probe). */
    public Tensor forward(Tensor x, boolean frozenBackbone) {
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
