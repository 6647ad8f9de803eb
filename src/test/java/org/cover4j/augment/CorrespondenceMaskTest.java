package org.cover4j.augment;

import org.cover4j.io.NpyArray;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CorrespondenceMaskTest {
    private static void check(Map<String, NpyArray> f, String flowKey, String maskKey) {
        NpyArray flow = f.get(flowKey);
        int[] s = flow.intShape();
        int[] spatial = Arrays.copyOfRange(s, 2, s.length);
        float[] got = CorrespondenceMask.mask(ReferenceFixtures.sample(flow, 0), spatial);
        float[] want = f.get(maskKey).floats();
        int diff = ReferenceFixtures.countDifferent(got, want);
        System.out.printf("CorrespondenceMask %s: %d of %d differ%n", maskKey, diff, want.length);
        assertArrayEquals(want, got, 0f);
    }

    @Test
    void matchesReference2d() {
        Map<String, NpyArray> f = ReferenceFixtures.load("randcoords2d.npz");
        check(f, "sq_flow", "sq_mask");
        check(f, "rect_flow", "rect_mask");
        check(ReferenceFixtures.load("cover2d_small_io.npz"), "flow_gt", "mask");
    }

    @Test
    void matchesReference3d() {
        check(ReferenceFixtures.load("randcoords3d.npz"), "flow", "mask");
        check(ReferenceFixtures.load("cover3d_small_io.npz"), "flow_gt", "mask");
    }

    @Test
    void asymmetricRuleZeroInvalidLastValid() {
        // 1×5 grid along axis 1 (axis 0 length 2 so S−1 = 1): loc_1 = p + u. Zero flow: p = 0 invalid
        // (r = 0), p = 4 valid (r = 1). A shift of −0.5 makes p = 0 invalid (r < 0) and all others valid;
        // +0.5 makes p = 4 invalid (r > 1).
        int[] sp = {2, 5};
        float[] flow = new float[2 * 10];
        Arrays.fill(flow, 0, 10, 1f);   // axis 0: loc_0 = p_0 + 1 ∈ {1, 2}: row 0 valid (r = 1), row 1 invalid
        float[] m = CorrespondenceMask.mask(flow, sp);
        assertArrayEquals(new float[] {0, 1, 1, 1, 1, 0, 0, 0, 0, 0}, m);
        Arrays.fill(flow, 10, 20, 0.5f);
        m = CorrespondenceMask.mask(flow, sp);
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, m);
        Arrays.fill(flow, 10, 20, -0.5f);
        m = CorrespondenceMask.mask(flow, sp);
        assertEquals(0f, m[0]);
        assertEquals(1f, m[1]);
        assertEquals(1f, m[4]);
    }
}
