package org.cover4j.data;

/** How {@link ImageOps} samples between voxels: linear for intensities, nearest for label maps. */
public enum Interpolation {
    /** (Multi)linear interpolation: for images. */
    LINEAR,
    /** Nearest voxel: for label maps, whose values must stay class indices. */
    NEAREST
}
