package org.cover4j.nn.swinunet;

import org.cover4j.nn.Backbone;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Backbones;
import org.cover4j.nn.Params;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.List;
import java.util.Map;

/** Swin-Unet in the backbone registry: a size preset with the embedding width and the window as options. */
public final class SwinUnetKind implements Backbones.Kind {
    static final String EMBED = "embed-dim";
    static final String WINDOW = "window";
    /** 896 = 4 · 8 · 28: grids 224, 112, 56, 28, which windows 4 and 7 both divide. */
    private static final int ANY_WINDOW_SIZE = 896;

    @Override
    public String name() {
        return "swinunet";
    }

    @Override
    public String description() {
        return "Swin-Unet (Cao et al. 2022; pure Transformer; 2D; the input size is fixed and the window must divide every stage)";
    }

    @Override
    public boolean supports3d() {
        return false;
    }

    @Override
    public List<String> optionNames() {
        return List.of(EMBED, WINDOW);
    }

    @Override
    public void checkOptions(String size, Map<String, String> options) {
        Backbones.Kind.super.checkOptions(size, options);
        Backbones.intOption(options, EMBED, 1);
        Backbones.intOption(options, WINDOW, 1);
    }

    static SwinUnetConfig config(String size, Map<String, String> options, int imgSize) {
        // The presets' own sizes, at an image size both preset windows (4 and 7) suit; the run's size comes next.
        SwinUnetConfig p = switch (size) {
            case "tiny" -> SwinUnetConfig.tiny(ANY_WINDOW_SIZE);
            case "base" -> SwinUnetConfig.base(ANY_WINDOW_SIZE);
            default -> SwinUnetConfig.small(ANY_WINDOW_SIZE);
        };
        return new SwinUnetConfig(imgSize, p.patchSize(), p.inChans(), Backbones.intOption(options, EMBED, p.embedDim()), p.depths(), p.numHeads(),
                Backbones.intOption(options, WINDOW, p.windowSize()), p.mlpRatio(), p.qkvBias());
    }

    @Override
    public void checkInput(BackboneSpec spec, int dims, int[] size, String flag) {
        if (size[0] != size[size.length - 1]) {
            throw CoverException.usage(flag + " " + size[0] + "x" + size[size.length - 1] + " does not suit swinunet: its input is square");
        }
        try {
            config(spec.size(), spec.options(), size[0]);
        } catch (CoverException e) {
            throw CoverException.usage(e.getMessage().replaceFirst("^--size", flag));
        }
    }

    @Override
    public Backbone build(BackboneSpec spec, Params params, String prefix, int dims, int inChannels, int[] size, Rng rng) {
        if (size == null) throw new IllegalArgumentException("swinunet needs its input size");
        return new SwinUnet(params, prefix, config(spec.size(), spec.options(), size[0]), inChannels, rng);
    }
}
