package org.cover4j.pretrain.cover;

import org.cover4j.pretrain.MethodSettings;
import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * COVER's own settings: the strength of the random affine ({@code degree}), the appearance transform of the moving
 * view ({@code paper} or {@code reference}), MoV heads per level (coarsest first), channels per head and the MoV
 * window half-width. Defaults are the reference's.
 */
public record CoverSettings(double degree, String appearance, int[] heads, int headDim, int amp) implements MethodSettings {
    public static final CoverSettings DEFAULTS = new CoverSettings(1.5, "paper", CoverConfig.DEFAULT_HEADS, 8, 2);

    public CoverSettings {
        checkViews(degree, appearance);
        if (heads == null) heads = CoverConfig.DEFAULT_HEADS;
        heads = heads.clone();
        new CoverConfig(2, 1, CoverConfig.DEFAULT_CHANNELS, headDim, heads, amp); // validates heads, head-dim, amp
    }

    /** The checks of the view options, which binary pixel-wise CL shares. */
    public static void checkViews(double degree, String appearance) {
        if (!"paper".equals(appearance) && !"reference".equals(appearance)) {
            throw CoverException.usage("--appearance must be paper or reference, got " + appearance);
        }
        if (!(degree > 0) || degree > 1.9) throw CoverException.usage("--degree must be in (0, 1.9], got " + degree);
    }

    /** The COVER architecture on a U-Net of {@code channels} in {@code dims} dimensions (one input channel). */
    public CoverConfig config(int dims, int[] channels) {
        return new CoverConfig(dims, 1, channels, headDim, heads, amp);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoverSettings c && c.degree == degree && c.appearance.equals(appearance) && Arrays.equals(c.heads, heads)
                && c.headDim == headDim && c.amp == amp;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(heads) * 31 + appearance.hashCode() + Double.hashCode(degree) + headDim * 7 + amp;
    }

    @Override
    public String toString() {
        return "CoverSettings[degree=" + degree + ", appearance=" + appearance + ", heads=" + Arrays.toString(heads)
                + ", headDim=" + headDim + ", amp=" + amp + "]";
    }
}
