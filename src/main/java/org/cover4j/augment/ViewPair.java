package org.cover4j.augment;

/**
 * One self-supervised training sample (SPEC §6.3): the moving view (appearance-augmented crop), the fixed
 * view (crop of the warped image), the ground-truth flow from fixed to moving, and the correspondence mask.
 * Arrays are C-order: images {@code (channels, *spatial)}, flow {@code (nd, *spatial)}, mask {@code (1, *spatial)}.
 */
public record ViewPair(int[] spatial, int channels, float[] moving, float[] fixed, float[] flow, float[] mask) {}
