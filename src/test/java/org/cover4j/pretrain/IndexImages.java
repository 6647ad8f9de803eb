package org.cover4j.pretrain;

/**
 * Images whose every voxel holds its own flat index, and the boxes of them: the values of a crop say where it was
 * cut, whatever flips or rotations moved them since (an oracle for the methods' crops).
 */
public final class IndexImages {
    private IndexImages() {}

    /** A {@code side^dims} image holding 0, 1, 2, ... in C-order. */
    public static float[] image(int dims, int side) {
        float[] v = new float[(int) Math.pow(side, dims)];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return v;
    }

    /** The C-order box of side {@code crop} of such an image of side {@code side} whose first voxel holds {@code corner}. */
    public static float[] box(int dims, int side, int crop, int corner) {
        int[] o = new int[dims];
        for (int d = dims - 1, rest = corner; d >= 0; d--, rest /= side) o[d] = rest % side;
        float[] out = new float[(int) Math.pow(crop, dims)];
        int inner = dims == 3 ? crop : 1;
        int k = 0;
        for (int y = 0; y < crop; y++) {
            for (int x = 0; x < crop; x++) {
                for (int z = 0; z < inner; z++) {
                    int row = (o[0] + y) * side + o[1] + x;
                    out[k++] = dims == 3 ? row * side + o[2] + z : row;
                }
            }
        }
        return out;
    }
}
