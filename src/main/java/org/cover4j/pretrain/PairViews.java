package org.cover4j.pretrain;

import org.cover4j.augment.AppearanceMode;
import org.cover4j.augment.CoverViews;
import org.cover4j.augment.ViewPair;
import org.cover4j.util.Rng;


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
        return CoverViews.make(image, 1, SampleTensors.cube(dims, loaderSize), crop, degree, mode, rng);
    }
}
