package org.cover4j.nn;

import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * Which backbone a run trains and its size: today the U-Net ({@code unet}) and its nine channel counts (encoder 5,
 * decoder 4). Recorded in every checkpoint beside the method's settings, so that any method's checkpoint says what
 * network its {@code backbone.*} tensors belong to.
 */
public record BackboneSpec(String name, int[] channels) {
    public static final String UNET = "unet";
    public static final int[] DEFAULT_CHANNELS = {32, 64, 128, 256, 512, 256, 128, 64, 32};

    public BackboneSpec {
        if (name == null) name = UNET;
        if (!name.equals(UNET)) throw CoverException.usage("--backbone must be unet, got " + name);
        if (channels == null) channels = DEFAULT_CHANNELS;
        if (channels.length != 9) {
            throw CoverException.usage("--channels needs 9 comma-separated counts (encoder 5, decoder 4), got " + channels.length);
        }
        for (int c : channels) {
            if (c < 8 || c % 8 != 0) throw CoverException.usage("--channels: every count must be a multiple of 8, got " + c);
        }
        channels = channels.clone();
    }

    public static BackboneSpec unet(int[] channels) {
        return new BackboneSpec(UNET, channels);
    }

    /** Builds the network into {@code params} under {@code prefix} (its weights drawn from {@code rng}). */
    public UNet build(Params params, String prefix, int dims, int inChannels, org.cover4j.util.Rng rng) {
        return new UNet(params, prefix, dims, inChannels, channels, rng);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackboneSpec b && b.name.equals(name) && Arrays.equals(b.channels, channels);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(channels);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(channels);
    }
}
