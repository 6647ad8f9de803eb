package org.cover4j.pretrain.cover;

import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * Architecture of a COVER model: dimensionality, input channels, the nine U-Net channel counts, head
 * dimension, heads per level (coarsest first, as the reference's {@code num_heads}) and MoV's window
 * half-width {@code amp}. Defaults are the reference's.
 */
public record CoverConfig(int dims, int inChannels, int[] channels, int headDim, int[] heads, int amp) {
    public static final int[] DEFAULT_CHANNELS = org.cover4j.nn.BackboneSpec.DEFAULT_CHANNELS;
    public static final int[] SMALL_CHANNELS = {8, 16, 32, 64, 128, 64, 32, 16, 8};
    public static final int[] DEFAULT_HEADS = {4, 4, 4, 1, 1};

    public CoverConfig {
        if (dims != 2 && dims != 3) throw CoverException.usage("--dim must be 2 or 3, got " + dims);
        if (inChannels < 1) throw CoverException.usage("input channels must be >= 1, got " + inChannels);
        if (channels.length != 9) {
            throw CoverException.usage("--channels needs 9 comma-separated counts (encoder 5, decoder 4), got " + channels.length);
        }
        for (int c : channels) {
            if (c < 8 || c % 8 != 0) throw CoverException.usage("--channels: every count must be a multiple of 8, got " + c);
        }
        if (heads.length != 5) throw CoverException.usage("--heads needs 5 comma-separated counts (coarsest first), got " + heads.length);
        for (int h : heads) if (h < 1) throw CoverException.usage("--heads: counts must be >= 1, got " + h);
        if (headDim < 1) throw CoverException.usage("head dimension must be >= 1, got " + headDim);
        if (amp < 1 || amp > 4) throw CoverException.usage("--amp must be between 1 and 4, got " + amp);
        channels = channels.clone();
        heads = heads.clone();
    }

    public static CoverConfig defaults(int dims) {
        return new CoverConfig(dims, 1, DEFAULT_CHANNELS, 8, DEFAULT_HEADS, 2);
    }

    /** Projection width at VPA level {@code i} (0 = coarsest). */
    public int projDim(int level) {
        return headDim * heads[level];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoverConfig c && c.dims == dims && c.inChannels == inChannels && Arrays.equals(c.channels, channels)
                && c.headDim == headDim && Arrays.equals(c.heads, heads) && c.amp == amp;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(channels) * 31 + Arrays.hashCode(heads) + dims * 7 + amp;
    }

    @Override
    public String toString() {
        return "CoverConfig[dims=" + dims + ", inChannels=" + inChannels + ", channels=" + Arrays.toString(channels)
                + ", headDim=" + headDim + ", heads=" + Arrays.toString(heads) + ", amp=" + amp + "]";
    }
}
