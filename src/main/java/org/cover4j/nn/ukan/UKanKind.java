package org.cover4j.nn.ukan;

import org.cover4j.nn.Backbone;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Backbones;
import org.cover4j.nn.Params;
import org.cover4j.util.Rng;

import java.util.List;
import java.util.Map;

/** U-KAN in the backbone registry: a size preset with its three embedding widths as an option ({@code --kan-dims}). */
public final class UKanKind implements Backbones.Kind {
    static final String DIMS = "kan-dims";

    @Override
    public String name() {
        return "ukan";
    }

    @Override
    public String description() {
        return "U-KAN (Li et al. 2025; convolutions + KAN blocks; 2D; any multiple of 32)";
    }

    @Override
    public boolean supports3d() {
        return false;
    }

    /**
     * Measured on the Colin27 task (300 COVER steps, 150 fine-tuning steps, paired seeds): the whole pre-trained
     * U-KAN fine-tuned to 0.484 ± 0.035 mean Dice against scratch's 0.570 ± 0.091 (1 of 5 seeds better), its encoder
     * alone to 0.575 ± 0.079 (against 0.583 on the same 4 seeds; better than the whole on 4 of 4).
     */
    @Override
    public boolean finetunesPretrainedDecoder() {
        return false;
    }

    @Override
    public List<String> optionNames() {
        return List.of(DIMS);
    }

    @Override
    public void checkOptions(String size, Map<String, String> options) {
        Backbones.Kind.super.checkOptions(size, options);
        config(size, options, UKanConfig.STRIDE);
    }

    static UKanConfig config(String size, Map<String, String> options, int imgSize) {
        UKanConfig p = switch (size) {
            case "tiny" -> UKanConfig.tiny(imgSize);
            case "base" -> UKanConfig.base(imgSize);
            default -> UKanConfig.small(imgSize);
        };
        return new UKanConfig(imgSize, Backbones.intsOption(options, DIMS, p.embedDims()), p.numClasses());
    }

    @Override
    public void checkInput(BackboneSpec spec, int dims, int[] size, String flag) {
        for (int s : size) {
            if (s < UKanConfig.STRIDE || s % UKanConfig.STRIDE != 0) {
                throw org.cover4j.util.CoverException.usage(flag + " " + s + " does not suit ukan: the input height and width must be multiples of 32"
                        + "; nearest valid sizes " + Backbones.nearestMultiples(s, UKanConfig.STRIDE));
            }
        }
    }

    @Override
    public Backbone build(BackboneSpec spec, Params params, String prefix, int dims, int inChannels, int[] size, Rng rng) {
        int img = size == null ? UKanConfig.STRIDE * 4 : size[0];
        return new UKan(params, prefix, config(spec.size(), spec.options(), img), inChannels, rng);
    }
}
