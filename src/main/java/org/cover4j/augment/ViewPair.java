package org.cover4j.augment;

/**
 * One COVER training example made from one image (SPEC §6.3), every array C-order over the crop grid
 * {@code spatial}: the moving view {@code (channels, spatial...)} (crop + appearance transform), the fixed view
 * {@code (channels, spatial...)} (crop of the warped image), the ground-truth displacement field
 * {@code (nd, spatial...)} (pixel units, channel d = axis d: the content of fixed position p is at
 * {@code p + flow(p)} in the moving view) and the validity mask {@code (1, spatial...)}, values 0/1.
 *
 * <p>Arrays are shared, not copied; as a record of arrays its {@code equals} compares array identity.
 */
public record ViewPair(int[] spatial, int channels, float[] moving, float[] fixed, float[] flow, float[] mask) {
    /** Number of spatial dimensions (2 or 3), also the number of flow channels. */
    public int dims() {
        return spatial.length;
    }

    /** Number of grid positions of the crop. */
    public int positions() {
        return Shapes.count(spatial);
    }
}
