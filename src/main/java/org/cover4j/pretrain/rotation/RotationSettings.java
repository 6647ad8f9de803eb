package org.cover4j.pretrain.rotation;

import org.cover4j.pretrain.MethodSettings;

/**
 * Rotation prediction has no settings of its own: its classes follow from the dimensionality (4 quarter turns in
 * 2D, 10 rotations in 3D) and its crops from {@code --size}.
 */
public record RotationSettings() implements MethodSettings {
    public static final RotationSettings DEFAULTS = new RotationSettings();
}
