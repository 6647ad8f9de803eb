package org.cover4j.report;

import java.awt.Color;

/**
 * Fixed colours, so the same class or series has the same colour in every figure of a report.
 * Label colours are chosen to stand out against grey images (Trubetskoy's "distinct colours", most
 * contrasting first); series colours are matplotlib's {@code tab10}, familiar from Python plots.
 */
public final class Palette {
    private Palette() {
    }

    private static final int[] LABELS = {
        0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x42D4F4, 0xF032E6, 0xBFEF45, 0xFABED4,
        0x469990, 0xDCBEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3, 0x808000, 0xFFD8B1, 0x000075};

    private static final int[] SERIES = {
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF};

    /** RGB ({@code 0xRRGGBB}) of foreground class {@code label >= 1}; the palette repeats after 19 classes. */
    public static int labelRgb(int label) {
        if (label < 1) throw new IllegalArgumentException("background (label " + label + ") has no contour colour");
        return LABELS[(label - 1) % LABELS.length];
    }

    /** Colour of the {@code i}-th series of a plot (cycles after 10). */
    public static Color series(int i) {
        return new Color(SERIES[Math.floorMod(i, SERIES.length)]);
    }
}
