package org.cover4j.downstream;

import java.nio.file.Path;

/**
 * One prepared downstream example: the network's input (normalised, {@code (channels, shape...)} C-order) with
 * its voxel spacing, and its label map (segmentation) or class (classification).
 *
 * @param id         name (file stem or manifest id)
 * @param source     the image file, or null for data made in memory
 * @param image      input voxels, {@code channels × prod(shape)}
 * @param shape      spatial shape (2 or 3 axes)
 * @param spacing    voxel size per axis (mm)
 * @param labels     label per voxel, or null
 * @param classIndex class, or -1
 */
public record Case(String id, Path source, float[] image, int[] shape, double[] spacing, int[] labels, int classIndex) {
    public int voxels() {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }
}
