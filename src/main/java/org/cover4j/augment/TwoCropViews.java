package org.cover4j.augment;

import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * Two views of one image for BYOL and SimSiam: each independently a random {@code crop}-sided crop (corner as
 * {@link CoverViews#drawCropOrigin}), a flip along each spatial axis with probability {@value #FLIP_RATE}, and
 * COVER's {@link AppearanceTransform} of the given mode — the same appearance changes as COVER's moving view,
 * so the methods differ in their objective, not in their augmentations. Draws: view 1 (corner, one flip coin
 * per axis, appearance), then view 2 likewise.
 */
public final class TwoCropViews {
    public static final double FLIP_RATE = 0.5;

    private TwoCropViews() {}

    /** The two views, each {@code (channels, crop^dims)}; {@code image} is not modified. */
    public static float[][] make(float[] image, int channels, int[] shape, int crop, AppearanceMode mode, Rng rng) {
        Shapes.checkSample(image, channels, shape, "two-crop views");
        int[] cropSize = new int[shape.length];
        Arrays.fill(cropSize, crop);
        AppearanceTransform appearance = new AppearanceTransform(mode);
        float[][] views = new float[2][];
        for (int v = 0; v < 2; v++) {
            int[] origin = CoverViews.drawCropOrigin(shape, cropSize, rng);
            float[] view = Shapes.crop(image, channels, shape, origin, cropSize);
            for (int d = 0; d < shape.length; d++) {
                if (rng.nextDouble() < FLIP_RATE) view = Flips.flip(view, channels, cropSize, d);
            }
            appearance.apply(view, channels, cropSize, rng);
            views[v] = view;
        }
        return views;
    }
}
