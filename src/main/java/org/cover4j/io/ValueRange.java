package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.file.Path;

/** Checks that voxel values fit an integer file type before writing, and picks the narrowest type that is lossless. */
final class ValueRange {
    private ValueRange() {}

    static double min(SampleType t) {
        return switch (t) {
            case UINT8, UINT16, UINT32, UINT64, BOOL -> 0;
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> Double.NEGATIVE_INFINITY;
        };
    }

    static double max(SampleType t) {
        return switch (t) {
            case UINT8 -> 255;
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 65535;
            case INT32 -> Integer.MAX_VALUE;
            case BOOL -> 1;
            default -> Double.POSITIVE_INFINITY;
        };
    }

    static boolean isInteger(SampleType t) {
        return t != SampleType.FLOAT16 && t != SampleType.BFLOAT16 && t != SampleType.FLOAT32 && t != SampleType.FLOAT64;
    }

    /**
     * The image's own datatype when it is one of {@code candidates} and every value is an integer within its
     * range (so writing loses nothing); float32 otherwise.
     */
    static SampleType losslessType(Image image, SampleType... candidates) {
        for (SampleType t : candidates) {
            if (t.label().equals(image.datatype()) && allIntegersIn(image.data(), min(t), max(t))) return t;
        }
        return SampleType.FLOAT32;
    }

    static boolean allIntegersIn(float[] v, double lo, double hi) {
        for (float x : v) {
            if (!(x >= lo && x <= hi) || x != Math.rint(x)) return false;
        }
        return true;
    }

    /** Values rounded to nearest for an integer type (refusing any outside its range or non-finite); as-is for floats. */
    static float[] fitTo(float[] v, SampleType t, Path file) {
        if (!isInteger(t)) return v;
        double lo = min(t), hi = max(t);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double r = Math.rint(v[i]);
            if (!(r >= lo && r <= hi)) {
                throw CoverException.file(file, "value " + v[i] + " at index " + i + " does not fit " + t.label()
                        + " [" + (long) lo + ", " + (long) hi + "]; rescale it or write float32");
            }
            out[i] = (float) r;
        }
        return out;
    }
}
