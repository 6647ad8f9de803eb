package org.cover4j.augment;

import org.cover4j.data.phantom.Phantoms;
import org.cover4j.io.NpyArray;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoverViewsTest {
    private static void checkFixture(String file, String imageKey, String movingKey) {
        Map<String, NpyArray> f = ReferenceFixtures.load(file);
        int[] s = f.get(imageKey).intShape();
        int[] shape = Arrays.copyOfRange(s, 2, s.length);
        int[] crop = Arrays.copyOfRange(f.get("im_F").intShape(), 2, s.length);
        int[] origin = Arrays.stream(f.get("crop_code").longs()).mapToInt(Math::toIntExact).toArray();
        ViewPair v = CoverViews.fromFlow(f.get(imageKey).floats(), 1, shape, f.get("flow_full").floats(), origin, crop);
        double eF = ReferenceFixtures.maxAbsDiff(v.fixed(), f.get("im_F").floats());
        double eFlow = ReferenceFixtures.maxAbsDiff(v.flow(), f.get("flow_gt").floats());
        double eM = ReferenceFixtures.maxAbsDiff(v.moving(), f.get(movingKey).floats());
        int maskDiff = ReferenceFixtures.countDifferent(v.mask(), f.get("mask").floats());
        System.out.printf("CoverViews %s: im_F %.3g, flow_gt %.3g, %s %.3g, mask %d differ%n", file, eF, eFlow, movingKey, eM, maskDiff);
        assertTrue(eF <= 1e-6);
        assertEquals(0.0, eFlow);
        assertEquals(0.0, eM);
        assertEquals(0, maskDiff);
        assertArrayEquals(crop, v.spatial());
    }

    @Test
    void reproducesReferenceStep2d() {
        // moving before the appearance transform: im_M_clean
        checkFixture("cover2d_small_io.npz", "img_full", "im_M_clean");
    }

    @Test
    void reproducesReferenceStep3d() {
        // the 3D fixture has no appearance transform: im_M is the plain crop
        checkFixture("cover3d_small_io.npz", "vol_full", "im_M");
    }

    @Test
    void makeEqualsTheFullSizeComputationWithTheSameDraws() {
        for (int[] shape : new int[][] {{48, 44}, {24, 26, 22}}) {
            int nd = shape.length;
            int[] crop = nd == 2 ? new int[] {32, 32} : new int[] {16, 16, 16};
            float[] img = nd == 2 ? Phantoms.image2d(3, 0, 48).image() : Phantoms.volume3d(3, 0, 26).image();
            img = Arrays.copyOf(img, Shapes.count(shape));   // any values will do; shapes need not be cubic
            float[] twoChannels = new float[2 * img.length];
            System.arraycopy(img, 0, twoChannels, 0, img.length);
            for (int i = 0; i < img.length; i++) twoChannels[img.length + i] = 1 - img[i];

            ViewPair v = CoverViews.make(twoChannels, 2, shape, crop, 1.5, AppearanceMode.REFERENCE, new Rng(42));

            Rng r = new Rng(42);   // replay the draws: affine, crop, then appearance
            RandomAffineFlow.Affine a = RandomAffineFlow.random(shape, 1.5, r);
            int[] origin = CoverViews.drawCropOrigin(shape, crop, r);
            float[] flowFull = RandomAffineFlow.flow(a, shape);
            float[] fixedFull = Warp.warp(twoChannels, 2, shape, flowFull);
            float[] moving = Shapes.crop(twoChannels, 2, shape, origin, crop);
            new AppearanceTransform(AppearanceMode.REFERENCE).apply(moving, 2, crop, r);
            float[] flowGt = Shapes.crop(flowFull, nd, shape, origin, crop);

            assertArrayEquals(Shapes.crop(fixedFull, 2, shape, origin, crop), v.fixed(), 0f);
            assertArrayEquals(flowGt, v.flow(), 0f);
            assertArrayEquals(CorrespondenceMask.mask(flowGt, crop), v.mask(), 0f);
            assertArrayEquals(moving, v.moving(), 0f);
            assertEquals(2, v.channels());
            assertEquals(nd, v.dims());
        }
    }

    @Test
    void cropOriginsCoverTheRangeOfNumpysRandint() {
        Rng r = new Rng(1);
        int[] seen = new int[5];
        for (int i = 0; i < 500; i++) {
            int[] o = CoverViews.drawCropOrigin(new int[] {36, 32}, new int[] {32, 32}, r);
            seen[o[0]]++;                       // randint(0, 4): 0..3, never 4
            assertEquals(0, o[1]);              // L = C: the only origin
        }
        assertEquals(0, seen[4]);
        for (int k = 0; k < 4; k++) assertTrue(seen[k] > 80);
    }

    @Test
    void seededDeterministicAndDifferentPerSeed() {
        float[] img = Phantoms.image2d(1, 2, 48).image();
        ViewPair a = CoverViews.make(img, 1, new int[] {48, 48}, 32, 1.5, AppearanceMode.PAPER, new Rng(5));
        ViewPair b = CoverViews.make(img, 1, new int[] {48, 48}, 32, 1.5, AppearanceMode.PAPER, new Rng(5));
        ViewPair c = CoverViews.make(img, 1, new int[] {48, 48}, 32, 1.5, AppearanceMode.PAPER, new Rng(6));
        assertArrayEquals(a.moving(), b.moving(), 0f);
        assertArrayEquals(a.fixed(), b.fixed(), 0f);
        assertArrayEquals(a.flow(), b.flow(), 0f);
        assertFalse(Arrays.equals(a.flow(), c.flow()));
    }

    @Test
    void cropLargerThanImageIsAClearError() {
        CoverException e = assertThrows(CoverException.class,
                () -> CoverViews.make(new float[40 * 40], 1, new int[] {40, 40}, 64, 1.5, AppearanceMode.PAPER, new Rng(1)));
        assertTrue(e.getMessage().contains("[64, 64]") && e.getMessage().contains("[40, 40]"), e.getMessage());
    }

    @Test
    void throughputMeasurementRuns() {
        assertTrue(ViewThroughput.measure(2, 16, 1, 2) > 0);
    }
}
