package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.AppearanceMode;
import org.cover4j.augment.TwoCropViews;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Two views of one image for the global siamese methods ({@code byol}, {@code simsiam}): independent random crops of
 * side {@code crop} from the loader-size image, each flipped per axis with p = 0.5, then COVER's appearance transform
 * in its paper mode ({@link TwoCropViews}). A batch of B samples becomes ONE network batch of 2B: every sample's first
 * view, then every sample's second view, so that BatchNorm sees 2B samples (one 3D volume still gives it two).
 */
public record TwoViews(int dims, int loaderSize, int crop) {
    public static TwoViews of(PretrainSettings s) {
        return new TwoViews(s.dims(), s.loaderSize(), s.size());
    }

    /** The two views (one channel, {@code crop} on every axis, C-order) of a prepared image. */
    public float[][] make(float[] image, Rng rng) {
        return TwoCropViews.make(image, 1, SampleTensors.cube(dims, loaderSize), crop, AppearanceMode.PAPER, rng);
    }

    /** (2B, 1, *crop): the first views of the B samples, then their second views, on {@code device}. */
    public Tensor batch(List<float[][]> samples, Device device) {
        List<float[]> views = new ArrayList<>(2 * samples.size());
        for (int v = 0; v < 2; v++) {
            for (float[][] sample : samples) views.add(sample[v]);
        }
        return SampleTensors.images(views, SampleTensors.cube(dims, crop), device);
    }

    /**
     * For rows laid out as {@link #batch} lays out images (first views, then second views), each row's partner: the
     * row of the same sample's other view. A loss between {@code p} and {@code otherView(z)} row by row compares every
     * view's prediction with the other view's target — both directions of the symmetrised loss at once.
     */
    public static Tensor otherView(Tensor rows) {
        long b = rows.size(0) / 2;
        if (2 * b != rows.size(0)) throw new IllegalArgumentException("an even number of rows expected, got " + rows.size(0));
        Tensor second = rows.narrow(0, b, b);
        Tensor first = rows.narrow(0, 0, b);
        Tensor swapped = Ops.cat(0, second, first);
        Ops.release(second, first);
        return swapped;
    }
}
