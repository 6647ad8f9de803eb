package org.cover4j.augment;

/**
 * The reference training loop's validity mask (SPEC §6.4): 1 where the ground-truth correspondence
 * {@code loc = p + flow(p)} of a fixed-view position lies inside the moving crop, else 0.
 *
 * <p>Per axis, in float32 as the reference: {@code r_d = loc_d / (S_d − 1)}, valid iff {@code 0 < r_d ≤ 1}
 * (so a location of exactly 0 is invalid and {@code S−1} is valid — the reference's asymmetric rule, and
 * without the warp's −0.5 sampling offset). The 2D reference multiplies channels 0 and 1; for 3D (no
 * reference mask code exists) all three axes are used, as in the 3D fixtures.
 */
public final class CorrespondenceMask {
    private CorrespondenceMask() {}

    /** The mask of a flow C-order over {@code (nd, spatial...)}; the result has one channel. */
    public static float[] mask(float[] flow, int[] spatial) {
        Shapes.checkSample(flow, spatial.length, spatial, "mask flow");
        int nd = spatial.length;
        int n = Shapes.count(spatial);
        float[] out = new float[n];
        int[] p = new int[nd];
        for (int q = 0; q < n; q++) {
            boolean valid = true;
            for (int d = 0; d < nd && valid; d++) {
                float r = ((float) p[d] + flow[d * n + q]) / (float) (spatial[d] - 1);
                valid = r > 0f && r <= 1f;
            }
            out[q] = valid ? 1f : 0f;
            for (int d = nd - 1; d >= 0; d--) {   // advance the C-order position counter
                if (++p[d] < spatial[d]) break;
                p[d] = 0;
            }
        }
        return out;
    }
}
