package org.cover4j.pretrain;

import org.cover4j.augment.AppearanceMode;
import org.cover4j.augment.CoverViews;
import org.cover4j.augment.ViewPair;
import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * COVER's view pairs (an appearance-changed moving view and an affinely warped fixed view with its known flow and
 * correspondence mask) for images at the loader's size: what {@code cover} and {@code pixcl} train on.
 */
public record PairViews(int dims, int loaderSize, int crop, double degree, AppearanceMode mode) {
    public static PairViews of(PretrainSettings s, double degree, String appearance) {
        return new PairViews(s.dims(), s.loaderSize(), s.size(), degree,
                "reference".equals(appearance) ? AppearanceMode.REFERENCE : AppearanceMode.PAPER);
    }

    public ViewPair make(float[] image, Rng rng) {
        int[] shape = new int[dims];
        Arrays.fill(shape, loaderSize);
        return CoverViews.make(image, 1, shape, crop, degree, mode, rng);
    }
}
