package org.cover4j.downstream;

import org.cover4j.io.Image;
import org.cover4j.data.ImageOps;
import org.cover4j.data.Interpolation;
import org.cover4j.data.Normalization;
import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Turns a read image into a network input exactly the same way for training, evaluation and prediction: drop
 * singleton axes to the model's dimensionality, convert the channel count, normalise intensities, and (for
 * classification) resize to the model's input size.
 */
public final class ImagePrep {
    /** The default normalisation: what pre-training does (8-bit images /255, others percentiles 0.5–99.5). */
    public static final String AUTO = "auto";

    private ImagePrep() {}

    /** Checks a normalisation text ({@code auto} or a {@link Normalization} form); returns it trimmed. */
    public static String checkNormalization(String text) {
        String t = text.trim();
        if (!t.equalsIgnoreCase(AUTO)) Normalization.parse(t);
        return t.toLowerCase(java.util.Locale.ROOT);
    }

    /** The image with singleton axes removed so that it has {@code dims} spatial axes; otherwise an error naming the file. */
    public static Image toDims(Image img, int dims, Path file) {
        int[] shape = img.shape();
        if (shape.length == dims) return img;
        int kept = 0;
        for (int s : shape) if (s != 1) kept++;
        if (shape.length < dims || kept > dims) {
            throw CoverException.file(file, "a " + Math.max(kept, Math.min(shape.length, 2)) + "D image " + Arrays.toString(shape)
                    + " but the model is " + dims + "D (--dim, or the checkpoint's)");
        }
        int[] out = new int[dims];
        double[] sp = new double[dims];
        double[] spacing = img.spacing();
        int j = 0;
        int singletonsToDrop = shape.length - dims;
        for (int a = 0; a < shape.length; a++) {
            if (shape[a] == 1 && singletonsToDrop > 0) {
                singletonsToDrop--;
                continue;
            }
            out[j] = shape[a];
            sp[j++] = spacing[a];
        }
        // C-order data is unchanged by dropping length-1 axes.
        return new Image(img.data(), img.channels(), out, sp, null, img.format(), img.datatype());
    }

    /** Normalised voxels of a single- or multi-channel image. */
    public static Image normalise(Image img, String normalization) {
        Normalization n = normalization.equalsIgnoreCase(AUTO)
                ? ("uint8".equals(img.datatype()) ? Normalization.divide(255) : Normalization.percentile(0.5, 99.5))
                : Normalization.parse(normalization);
        return n.apply(img);
    }

    /** Network input for {@code raw} under {@code spec}: dims, channels, normalisation, and for classification the resize. */
    public static Image input(Image raw, ModelSpec spec, Path file) {
        return input(raw, spec.task(), spec.dims(), spec.inChannels(), spec.normalization(), spec.patch(), file);
    }

    /** As {@link #input(Image, ModelSpec, Path)} with the settings given one by one (before the classes are known). */
    public static Image input(Image raw, Task task, int dims, int inChannels, String normalization, int[] patch, Path file) {
        Image img = toDims(raw, dims, file);
        if (img.channels() != inChannels) {
            try {
                img = ImageOps.toChannels(img, inChannels);
            } catch (CoverException e) {
                throw CoverException.file(file, "has " + img.channels() + " channels, the model takes " + inChannels);
            }
        }
        for (float v : img.data()) {
            if (!Float.isFinite(v)) throw CoverException.file(file, "contains NaN or infinite values");
        }
        img = normalise(img, normalization);
        if (task == Task.CLS && !Arrays.equals(img.shape(), patch)) {
            img = ImageOps.resize(img, patch, Interpolation.LINEAR);
        }
        return img;
    }

    /**
     * Integer labels of a label map: every value must be a whole number in {@code [0, numClasses)} (any
     * {@code numClasses} when it is ≤ 0); with {@code binary} every non-zero value becomes 1.
     */
    public static int[] labels(Image label, int numClasses, boolean binary, Path file) {
        float[] d = label.data();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (binary) {
                out[i] = v != 0f ? 1 : 0;
                continue;
            }
            if (!(v >= 0) || v != Math.rint(v) || v > 65535) {
                throw CoverException.file(file, "value " + v + " at voxel " + i + " is not a class label (labels are whole numbers 0..K-1"
                        + (v == 255f ? "; for 0/255 masks use --binary-labels" : "") + ")");
            }
            out[i] = (int) v;
            if (numClasses > 0 && out[i] >= numClasses) {
                throw CoverException.file(file, "label value " + out[i] + " at voxel " + i + " is outside the declared classes 0.."
                        + (numClasses - 1) + " (--classes " + numClasses + ")" + (v == 255f ? "; for 0/255 masks use --binary-labels" : ""));
            }
        }
        return out;
    }
}
