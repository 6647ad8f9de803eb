package org.cover4j.io;

/**
 * Intensity summary of an image over its finite voxels (all channels), accumulated in float64; NaN and
 * infinite voxels are counted separately rather than poisoning the numbers.
 */
public record ImageStats(double min, double max, double mean, double sum, long finite, long nonFinite) {
    public static ImageStats of(Image image) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
        long finite = 0, bad = 0;
        for (float v : image.data()) {
            if (!Float.isFinite(v)) {
                bad++;
                continue;
            }
            finite++;
            sum += v;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (finite == 0) return new ImageStats(Double.NaN, Double.NaN, Double.NaN, 0, 0, bad);
        return new ImageStats(min, max, sum / finite, sum, finite, bad);
    }
}
