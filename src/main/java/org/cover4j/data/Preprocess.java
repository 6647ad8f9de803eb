package org.cover4j.data;

import org.cover4j.io.Image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a preset does to each loaded sample, in this order: convert the channel count; reorient 3D volumes to
 * RAS; resample to a voxel spacing; normalise the image's intensities; binarise the label (&gt; 0 → 1); fit to
 * a size by resizing or centre crop/pad. Labels follow every geometric step with nearest-neighbour sampling.
 *
 * @param normalization intensity normalisation of the image
 * @param channels      channel count wanted (1 grey, 3 RGB), or 0 to keep the file's
 * @param reorient      reorient 3D volumes to RAS (nibabel's closest canonical)
 * @param spacing       target voxel spacing in mm for 3D volumes, or null to keep
 * @param size          target spatial size, or null to keep; applied only to samples of that many axes
 * @param fit           how {@code size} is reached
 * @param binaryLabels  map every non-zero label value to 1 (masks stored as 0/255)
 */
public record Preprocess(Normalization normalization, int channels, boolean reorient, double[] spacing, int[] size,
                         Fit fit, boolean binaryLabels) {

    /** How a sample is brought to the target size. */
    public enum Fit {
        /** Linear resize (labels nearest), half-pixel convention: the whole field of view is kept. */
        RESIZE,
        /** Centre crop and/or zero pad: the voxel size is kept. */
        CROP_PAD
    }

    public Preprocess {
        spacing = spacing == null ? null : spacing.clone();
        size = size == null ? null : size.clone();
    }

    @Override public double[] spacing() { return spacing == null ? null : spacing.clone(); }

    @Override public int[] size() { return size == null ? null : size.clone(); }

    /** All steps (the size step only where the sample has as many axes as {@code size}). */
    public Sample prepare(Sample s) {
        Image img = s.image();
        Image lab = s.label();
        if (channels > 0) img = ImageOps.toChannels(img, channels);
        if (reorient && img.ndim() >= 3) {
            img = ImageOps.reorientToRas(img);
            if (lab != null) lab = ImageOps.reorientToRas(lab);
        }
        if (spacing != null && spacing.length == img.ndim()) {
            img = ImageOps.resampleToSpacing(img, spacing, Interpolation.LINEAR);
            if (lab != null) lab = ImageOps.resampleToSpacing(lab, spacing, Interpolation.NEAREST);
        }
        img = normalization.apply(img);
        if (lab != null && binaryLabels) {
            float[] d = lab.data();
            float[] b = new float[d.length];
            for (int i = 0; i < d.length; i++) b[i] = d[i] != 0f ? 1f : 0f;
            lab = lab.withData(b, lab.channels());
        }
        return fit(s.with(img, lab));
    }

    /** Only the size step (used after slicing volumes into 2D samples). */
    public Sample fit(Sample s) {
        if (size == null || s.image().ndim() != size.length) return s;
        Image img, lab = s.label();
        if (fit == Fit.RESIZE) {
            img = ImageOps.resize(s.image(), size, Interpolation.LINEAR);
            if (lab != null) lab = ImageOps.resize(lab, size, Interpolation.NEAREST);
        } else {
            img = ImageOps.cropOrPad(s.image(), size, 0f);
            if (lab != null) lab = ImageOps.cropOrPad(lab, size, 0f);
        }
        return s.with(img, lab);
    }

    /** One line for tables: the steps that do something. */
    public String describe() {
        List<String> steps = new ArrayList<>();
        if (channels == 1) steps.add("grey (BT.601 luma if RGB)");
        if (channels == 3) steps.add("RGB");
        if (reorient) steps.add("reorient to RAS");
        if (spacing != null) steps.add("resample to " + join(spacing) + " mm");
        steps.add(normalization.describe());
        if (binaryLabels) steps.add("labels >0 → 1");
        if (size != null) {
            steps.add((fit == Fit.RESIZE ? "resize to " : "centre crop/pad to ") + Arrays.stream(size)
                    .mapToObj(Integer::toString).collect(Collectors.joining("×")));
        }
        return String.join("; ", steps);
    }

    private static String join(double[] v) {
        return Arrays.stream(v).mapToObj(x -> x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x))
                .collect(Collectors.joining("×"));
    }
}
