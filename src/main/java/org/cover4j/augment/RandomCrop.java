package org.cover4j.augment;

import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * A random square or cube of an image: what a method that makes its own views from a crop (Models Genesis) starts
 * from. The corner is drawn as COVER's ({@link CoverViews#drawCropOrigin}), so every method sees the same positions.
 */
public final class RandomCrop {
    private RandomCrop() {}

    /** A {@code crop}-sided crop {@code (channels, crop^dims)} of {@code image} {@code (channels, shape)}; one draw per axis. */
    public static float[] make(float[] image, int channels, int[] shape, int crop, Rng rng) {
        int[] size = new int[shape.length];
        Arrays.fill(size, crop);
        return Shapes.crop(image, channels, shape, CoverViews.drawCropOrigin(shape, size, rng), size);
    }
}
