package org.cover4j.data.phantom;

/**
 * One synthetic phantom: a single-channel image or volume (C-order over {@code shape}, values in [0, 1])
 * and its label map (same layout, 0 = background, 1..{@link Phantoms#STRUCTURES} = structures, see
 * {@link Phantoms#LABEL_NAMES}).
 */
public record Phantom(float[] image, int[] labels, int[] shape) {
    /** Number of label classes including the background. */
    public int numClasses() {
        return Phantoms.STRUCTURES + 1;
    }
}
