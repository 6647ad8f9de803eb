package org.cover4j.nn;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which backbone a run trains and its size, as recorded in every checkpoint and {@code model.json} beside the method's
 * settings: the network's name ({@link Backbones}), the U-Net's nine channel counts (U-Net only), the size preset of
 * the other networks ({@code tiny}, {@code small}, {@code base}) and the options given on top of it, by option name
 * without dashes ({@code vit-layers → 4}) in the text form the command line takes. The input size is the run's
 * ({@code --size} or {@code --patch}), not part of the spec.
 */
public record BackboneSpec(String name, int[] channels, String size, Map<String, String> options) {
    public static final String UNET = "unet";
    public static final int[] DEFAULT_CHANNELS = {32, 64, 128, 256, 512, 256, 128, 64, 32};

    public BackboneSpec {
        if (name == null) name = UNET;
        Backbones.Kind kind = Backbones.get(name);
        options = options == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(options));
        if (kind.isUnet()) {
            if (channels == null) channels = DEFAULT_CHANNELS;
            if (channels.length != 9) {
                throw CoverException.usage("--channels needs 9 comma-separated counts (encoder 5, decoder 4), got " + channels.length);
            }
            for (int c : channels) {
                if (c < 8 || c % 8 != 0) throw CoverException.usage("--channels: every count must be a multiple of 8, got " + c);
            }
            channels = channels.clone();
            size = null;
        } else {
            if (channels != null) throw CoverException.usage("--channels sets the U-Net's channels; --backbone " + name + " takes --backbone-size and its own options");
            if (size == null) size = Backbones.DEFAULT_SIZE;
            if (!Backbones.SIZES.contains(size)) {
                throw CoverException.usage("--backbone-size must be one of " + String.join(", ", Backbones.SIZES) + ", got " + size);
            }
        }
        kind.checkOptions(size, options);
    }

    public static BackboneSpec unet(int[] channels) {
        return new BackboneSpec(UNET, channels, null, null);
    }

    @Override
    public int[] channels() {
        return channels == null ? null : channels.clone();
    }

    public Backbones.Kind kind() {
        return Backbones.get(name);
    }

    /**
     * Builds the network into {@code params} under {@code prefix} for inputs of {@code size} per spatial axis (null: the caller checked it; its
     * weights drawn from {@code rng}); a size or dimensionality the network cannot take is refused in one line.
     */
    public Backbone build(Params params, String prefix, int dims, int inChannels, int[] size, Rng rng) {
        if (size != null) checkInput(dims, size, "--size");
        return kind().build(this, params, prefix, dims, inChannels, size, rng);
    }

    /** Refuses (usage error naming {@code flag}) an input size or dimensionality this backbone cannot take. */
    public void checkInput(int dims, int[] size, String flag) {
        Backbones.Kind kind = kind();
        if (dims == 3 && !kind.supports3d()) {
            throw CoverException.usage("--backbone " + name + " is a 2D network (as in its paper); use --backbone unet for 3D");
        }
        kind.checkInput(this, dims, size, flag);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackboneSpec b && b.name.equals(name) && Arrays.equals(b.channels, channels)
                && java.util.Objects.equals(b.size, size) && b.options.equals(options);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(channels) + options.hashCode();
    }

    @Override
    public String toString() {
        if (channels != null) return name + " " + Arrays.toString(channels);
        return name + " " + size + (options.isEmpty() ? "" : " " + options);
    }
}
