package org.cover4j.augment;

/** A rotated crop {@code (channels, crop^dims)} and its rotation class ({@link Rotations#matrix}). */
public record RotationSample(float[] image, int label) {}
