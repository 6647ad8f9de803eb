package org.cover4j.data;

import org.cover4j.io.Image;

import java.util.Objects;

/**
 * One item of a data set: an image, optionally a label map (segmentation) or a class index
 * (classification), and an id that names it in logs and predictions (usually the file's name stem).
 *
 * @param image      the image (never null)
 * @param label      the label map, same spatial grid as the image, or null
 * @param classIndex the class, or {@link #NO_CLASS}
 * @param id         a name for this item
 */
public record Sample(Image image, Image label, int classIndex, String id) {
    /** {@code classIndex} of a sample without a class. */
    public static final int NO_CLASS = -1;

    public Sample {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(id, "id");
        if (classIndex < NO_CLASS) throw new IllegalArgumentException("class index " + classIndex + " < 0");
    }

    public static Sample unlabeled(String id, Image image) {
        return new Sample(image, null, NO_CLASS, id);
    }

    public static Sample segmentation(String id, Image image, Image label) {
        return new Sample(image, Objects.requireNonNull(label, "label"), NO_CLASS, id);
    }

    public static Sample classification(String id, Image image, int classIndex) {
        if (classIndex < 0) throw new IllegalArgumentException("class index " + classIndex + " < 0");
        return new Sample(image, null, classIndex, id);
    }

    public boolean hasLabel() { return label != null; }

    public boolean hasClass() { return classIndex != NO_CLASS; }

    /** The same sample with another image and label (after preprocessing); class and id unchanged. */
    public Sample with(Image newImage, Image newLabel) {
        return new Sample(newImage, newLabel, classIndex, id);
    }
}
