package org.cover4j.nn.swinunet;

import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizes the architecture accepts, the official window clamping per stage, and the one-line refusals. */
class SwinUnetConfigTest {
    @Test
    void windowsAndShiftsFollowTheOfficialClampingRule() {
        // The README's per-block table of the fixture model (64², window 4).
        SwinUnetConfig tiny = SwinUnetConfig.tiny(64);
        int[] res = {16, 8, 4, 2};
        int[] window = {4, 4, 4, 2};
        int[] oddShift = {2, 2, 0, 0};
        for (int stage = 0; stage < 4; stage++) {
            assertEquals(res[stage], tiny.resolution(stage));
            assertEquals(window[stage], tiny.window(stage), "window of stage " + stage);
            assertEquals(0, tiny.shift(stage, 0), "even blocks are unshifted");
            assertEquals(oddShift[stage], tiny.shift(stage, 1), "shift of stage " + stage);
        }
        // The official 224/7: the 7×7 stage keeps window 7 (= resolution) unshifted; the others shift by 3.
        SwinUnetConfig base = SwinUnetConfig.base(224);
        assertEquals(7, base.resolution(3));
        assertEquals(7, base.window(3));
        assertEquals(0, base.shift(3, 1));
        assertEquals(3, base.shift(2, 1));
        assertEquals(3, base.inChans());
    }

    @Test
    void acceptsExactlyTheSizesEveryStageCanWindow() {
        // Window 4: the 4 grids size/4, /8, /16, /32 must each fit one window or be a multiple of 4 (by hand).
        for (int size : new int[] {32, 64, 128, 256, 384, 512}) assertTrue(SwinUnetConfig.fits(size, 4), size + " fits");
        for (int size : new int[] {96, 100, 160, 192, 224, 320}) assertTrue(!SwinUnetConfig.fits(size, 4), size + " does not fit");
        // Window 7: only 224·m (56m, 28m, 14m, 7m) below 448.
        for (int size = 32; size < 448; size += 32) assertEquals(size == 224, SwinUnetConfig.fits(size, 7), size + " with window 7");
    }

    @Test
    void refusesOtherSizesNamingTheNearestValidOnes() {
        CoverException e = assertThrows(CoverException.class, () -> SwinUnetConfig.small(100));
        assertTrue(e.getMessage().startsWith("--size 100 does not suit swinunet (window 4)"), e.getMessage());
        assertTrue(e.getMessage().endsWith("nearest valid sizes 64 or 128"), e.getMessage());
        assertEquals(CoverException.USAGE, e.exitCode());
        e = assertThrows(CoverException.class, () -> SwinUnetConfig.base(128));
        assertTrue(e.getMessage().endsWith("nearest valid size 224"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());

        SwinUnetConfig small = SwinUnetConfig.small(128);
        small.checkInput(new int[] {128, 128});
        e = assertThrows(CoverException.class, () -> small.checkInput(new int[] {64, 64}));
        assertTrue(e.getMessage().contains("built for image size 128"), e.getMessage());
        e = assertThrows(CoverException.class, () -> small.checkInput(new int[] {128, 120}));
        assertTrue(e.getMessage().contains("nearest valid sizes 64 or 128"), e.getMessage());
        e = assertThrows(CoverException.class, () -> small.checkInput(new int[] {128, 128, 128}));
        assertTrue(e.getMessage().contains("2D only"), e.getMessage());
    }

    @Test
    void refusesInconsistentSizes() {
        CoverException e = assertThrows(CoverException.class,
                () -> new SwinUnetConfig(64, 4, 1, 16, new int[] {2, 2, 2, 2}, new int[] {3, 4, 8, 16}, 4, 4.0, true));
        assertTrue(e.getMessage().startsWith("--heads: stage 0 has 16 channels, which 3 heads do not divide"), e.getMessage());
        e = assertThrows(CoverException.class,
                () -> new SwinUnetConfig(64, 2, 1, 16, new int[] {2, 2, 2, 2}, new int[] {2, 4, 8, 16}, 4, 4.0, true));
        assertTrue(e.getMessage().startsWith("--patch-size must be 4"), e.getMessage());
        e = assertThrows(CoverException.class,
                () -> new SwinUnetConfig(64, 4, 1, 16, new int[] {2, 2, 2}, new int[] {2, 4, 8, 16}, 4, 4.0, true));
        assertTrue(e.getMessage().startsWith("--depths needs 4 counts"), e.getMessage());
    }
}
