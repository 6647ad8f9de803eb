package org.cover4j.augment;

import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * Rotation prediction (Gidaris et al. 2018; in 3D as Taleb et al. 2020): a square or cube is rotated by a
 * multiple of 90° and the network predicts which rotation.
 * <ul>
 *   <li>2D, 4 classes: label k = rotation by k·90°, {@code numpy.rot90(x, k, axes=(1, 2))} on {@code (C, H, W)}
 *       (k = 1: {@code out[i][j] = in[j][S−1−i]});</li>
 *   <li>3D, 10 classes: 0 = identity; {@code 1 + 3a + (q − 1)} = q quarter turns (q = 1, 2, 3) about spatial
 *       axis a (0 = y, 1 = x, 2 = z); one quarter turn about a maps axis a+1 onto axis a+2 (indices mod 3),
 *       so the turns about z are the 2D ones applied to every z slice.</li>
 * </ul>
 * Positions are centred on the grid's middle ({@code p − (S−1)/2}); the voxel at centred position c moves to
 * {@code M·c} with M = {@link #matrix}.
 */
public final class Rotations {
    private Rotations() {}

    /** One quarter turn in the plane of axes (0, 1): (y, x) → (−x, y), numpy's rot90 with k = 1. */
    private static final int[][] QUARTER_2D = {{0, -1}, {1, 0}};

    /** Number of classes: 4 in 2D, 10 in 3D. */
    public static int classes(int dims) {
        return switch (dims) {
            case 2 -> 4;
            case 3 -> 10;
            default -> throw new IllegalArgumentException("rotations: expected 2 or 3 spatial dimensions, got " + dims);
        };
    }

    /** The integer rotation matrix ({@code dims × dims}, orthogonal, determinant +1) of {@code label}. */
    public static int[][] matrix(int dims, int label) {
        if (label < 0 || label >= classes(dims)) {
            throw new IllegalArgumentException("rotations: label " + label + " not in [0, " + classes(dims) + ") for " + dims + "D");
        }
        if (dims == 2) return power(QUARTER_2D, label);
        int axis = label == 0 ? 0 : (label - 1) / 3, turns = label == 0 ? 0 : (label - 1) % 3 + 1;
        int[][] quarter = new int[3][3];
        int a = (axis + 1) % 3, b = (axis + 2) % 3;   // the plane turned, a onto b
        quarter[axis][axis] = 1;
        quarter[b][a] = 1;
        quarter[a][b] = -1;
        return power(quarter, turns);
    }

    private static int[][] power(int[][] m, int k) {
        int n = m.length;
        int[][] r = new int[n][n];
        for (int i = 0; i < n; i++) r[i][i] = 1;
        for (int t = 0; t < k; t++) {
            int[][] next = new int[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    for (int l = 0; l < n; l++) next[i][j] += m[i][l] * r[l][j];
                }
            }
            r = next;
        }
        return r;
    }

    /**
     * A new array: {@code image} {@code (channels, size^dims)} rotated by {@code label}'s rotation, every channel.
     * Exact (a permutation of the voxels).
     */
    public static float[] rotate(float[] image, int channels, int size, int dims, int label) {
        int[][] m = matrix(dims, label);
        int[] spatial = new int[dims];
        Arrays.fill(spatial, size);
        Shapes.checkSample(image, channels, spatial, "rotation");
        int n = Shapes.count(spatial);
        float[] out = new float[image.length];
        int[] q = new int[dims];
        for (int at = 0; at < n; at++) {
            for (int d = dims - 1, rest = at; d >= 0; d--, rest /= size) q[d] = rest % size;
            // out[q] = in[Mᵀ·q] in centred coordinates; doubled (2p − (S−1)) to stay in integers.
            int from = 0;
            for (int e = 0; e < dims; e++) {
                int v = 0;
                for (int d = 0; d < dims; d++) v += m[d][e] * (2 * q[d] - (size - 1));
                from = from * size + (v + size - 1) / 2;
            }
            for (int c = 0; c < channels; c++) out[c * n + at] = image[c * n + from];
        }
        return out;
    }

    /**
     * One example: a random {@code crop}-sided square or cube of {@code image} (corner as {@link CoverViews#drawCropOrigin}),
     * a label uniform over {@link #classes}, and the crop rotated by it. Draws: the corner, then the label.
     */
    public static RotationSample make(float[] image, int channels, int[] shape, int crop, Rng rng) {
        int[] cropSize = new int[shape.length];
        Arrays.fill(cropSize, crop);
        int[] origin = CoverViews.drawCropOrigin(shape, cropSize, rng);
        float[] cube = Shapes.crop(image, channels, shape, origin, cropSize);
        int label = rng.randint(0, classes(shape.length));
        return new RotationSample(rotate(cube, channels, crop, shape.length, label), label);
    }
}
