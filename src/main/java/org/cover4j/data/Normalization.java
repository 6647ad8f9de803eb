package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.util.CoverException;

import java.util.Locale;

/**
 * One intensity normalisation as a value: what a preset or a {@code --normalize} flag asks for. The work
 * is done by {@link Intensity}; this record names it, parses it and describes it for tables.
 *
 * <p>Text form (for flags and configuration): {@code none}, {@code div:255}, {@code minmax},
 * {@code clip:-1000,1000}, {@code zscore}, {@code zscore-nonzero}, {@code pct:0.5,99.5}.
 */
public record Normalization(Kind kind, double a, double b) {

    /** The kinds of normalisation. */
    public enum Kind { NONE, DIVIDE, MIN_MAX, CLIP, Z_SCORE, Z_SCORE_NONZERO, PERCENTILE }

    public Normalization {
        if (kind == Kind.DIVIDE && (a == 0 || !Double.isFinite(a))) {
            throw CoverException.usage("normalisation div: needs a finite non-zero divisor, got " + a);
        }
        if (kind == Kind.CLIP && !(b > a)) {
            throw CoverException.usage("normalisation clip: needs lo < hi, got " + a + "," + b);
        }
        if (kind == Kind.PERCENTILE && !(a >= 0 && a < b && b <= 100)) {
            throw CoverException.usage("normalisation pct: needs 0 <= lo < hi <= 100, got " + a + "," + b);
        }
    }

    public static Normalization none() { return new Normalization(Kind.NONE, 0, 0); }
    public static Normalization divide(double d) { return new Normalization(Kind.DIVIDE, d, 0); }
    public static Normalization minMax() { return new Normalization(Kind.MIN_MAX, 0, 0); }
    public static Normalization clip(double lo, double hi) { return new Normalization(Kind.CLIP, lo, hi); }
    public static Normalization zScore(boolean nonZeroOnly) {
        return new Normalization(nonZeroOnly ? Kind.Z_SCORE_NONZERO : Kind.Z_SCORE, 0, 0);
    }
    public static Normalization percentile(double lo, double hi) { return new Normalization(Kind.PERCENTILE, lo, hi); }

    /** Applies this normalisation to a voxel array, returning a new one. */
    public float[] apply(float[] x) {
        return switch (kind) {
            case NONE -> x.clone();
            case DIVIDE -> Intensity.divide(x, a);
            case MIN_MAX -> Intensity.minMax(x);
            case CLIP -> Intensity.clipScale(x, a, b);
            case Z_SCORE -> Intensity.zScore(x, false);
            case Z_SCORE_NONZERO -> Intensity.zScore(x, true);
            case PERCENTILE -> Intensity.percentileWindow(x, a, b);
        };
    }

    /** The image with normalised voxels and the same geometry. */
    public Image apply(Image img) {
        return kind == Kind.NONE ? img : img.withData(apply(img.data()), img.channels());
    }

    /** Human-readable formula, for README tables and logs. */
    public String describe() {
        return switch (kind) {
            case NONE -> "none";
            case DIVIDE -> "x/" + num(a);
            case MIN_MAX -> "min-max to [0,1]";
            case CLIP -> "clip(x, " + num(a) + ", " + num(b) + ") to [0,1]";
            case Z_SCORE -> "z-score";
            case Z_SCORE_NONZERO -> "z-score over non-zero voxels";
            case PERCENTILE -> "percentiles " + num(a) + "-" + num(b) + " to [0,1]";
        };
    }

    /** The text form accepted by {@link #parse}. */
    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case DIVIDE -> "div:" + num(a);
            case MIN_MAX -> "minmax";
            case CLIP -> "clip:" + num(a) + "," + num(b);
            case Z_SCORE -> "zscore";
            case Z_SCORE_NONZERO -> "zscore-nonzero";
            case PERCENTILE -> "pct:" + num(a) + "," + num(b);
        };
    }

    /** Parses the text form (see the class comment); a bad string is a usage error naming the accepted forms. */
    public static Normalization parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String head = t.contains(":") ? t.substring(0, t.indexOf(':')) : t;
        String args = t.contains(":") ? t.substring(t.indexOf(':') + 1) : "";
        try {
            switch (head) {
                case "none": if (args.isEmpty()) return none(); break;
                case "minmax": if (args.isEmpty()) return minMax(); break;
                case "zscore": if (args.isEmpty()) return zScore(false); break;
                case "zscore-nonzero": if (args.isEmpty()) return zScore(true); break;
                case "div": return divide(Double.parseDouble(args));
                case "clip": {
                    double[] v = two(args);
                    if (v != null) return clip(v[0], v[1]);
                    break;
                }
                case "pct": {
                    double[] v = two(args);
                    if (v != null) return percentile(v[0], v[1]);
                    break;
                }
                default: break;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw CoverException.usage("unknown normalisation '" + text + "'; use one of: none, div:255, minmax, "
                + "clip:LO,HI, zscore, zscore-nonzero, pct:PLO,PHI");
    }

    private static double[] two(String s) {
        String[] p = s.split(",");
        if (p.length != 2) return null;
        return new double[] {Double.parseDouble(p[0].trim()), Double.parseDouble(p[1].trim())};
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
