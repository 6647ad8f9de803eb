package org.cover4j.nn.transunet;

import org.cover4j.nn.Backbone;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Backbones;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.List;
import java.util.Map;

/**
 * TransUNet in the backbone registry: a size preset ({@link TransUNetConfig#tiny}, {@code small}, {@code base}) at the
 * run's input size, with the transformer's depth, width, heads and MLP width as options.
 */
public final class TransUNetKind implements Backbones.Kind {
    static final String LAYERS = "vit-layers";
    static final String HIDDEN = "hidden-size";
    static final String HEADS = "vit-heads";
    static final String MLP = "mlp-dim";

    @Override
    public String name() {
        return TransUNet.NAME;
    }

    @Override
    public String description() {
        return "TransUNet (Chen et al. 2021; CNN + Transformer, R50-ViT hybrid; 2D; the input size is fixed by its position embeddings)";
    }

    @Override
    public boolean supports3d() {
        return false;
    }

    @Override
    public List<String> optionNames() {
        return List.of(LAYERS, HIDDEN, HEADS, MLP);
    }

    @Override
    public void checkOptions(String size, Map<String, String> options) {
        Backbones.Kind.super.checkOptions(size, options);
        config(size, options, 64); // the values themselves, at a size every preset takes
    }

    /** The configuration of {@code size}'s preset with {@code options} applied, for inputs of {@code imgSize}². */
    static TransUNetConfig config(String size, Map<String, String> options, int imgSize) {
        TransUNetConfig p = switch (size) {
            case "tiny" -> TransUNetConfig.tiny(imgSize);
            case "base" -> TransUNetConfig.base(imgSize);
            default -> TransUNetConfig.small(imgSize);
        };
        return new TransUNetConfig(imgSize, p.widthFactor(), p.resnetLayers(), Backbones.intOption(options, HIDDEN, p.hidden()),
                Backbones.intOption(options, MLP, p.mlpDim()), Backbones.intOption(options, HEADS, p.numHeads()),
                Backbones.intOption(options, LAYERS, p.numLayers()), p.dropout(), p.attentionDropout(), p.decoderChannels(), p.nSkip(),
                p.nClasses());
    }

    @Override
    public void checkInput(BackboneSpec spec, int dims, int[] size, String flag) {
        if (size[0] != size[size.length - 1]) {
            throw CoverException.usage(flag + " " + size[0] + "x" + size[1] + " does not suit transunet: its input is square (position embeddings"
                    + " for (size/16)² patches)");
        }
        if (size[0] < TransUNetConfig.STRIDE || size[0] % TransUNetConfig.STRIDE != 0) {
            throw CoverException.usage(flag + " " + size[0] + " does not suit transunet: the input must be a multiple of 16; nearest valid sizes "
                    + Backbones.nearestMultiples(size[0], TransUNetConfig.STRIDE));
        }
        config(spec.size(), spec.options(), size[0]).checkInput(size);
    }

    @Override
    public Backbone build(BackboneSpec spec, Params params, String prefix, int dims, int inChannels, int[] size, Rng rng) {
        if (size == null) throw new IllegalArgumentException("transunet needs its input size");
        return new TransUNet(params, prefix, config(spec.size(), spec.options(), size[0]), inChannels, rng);
    }
}
