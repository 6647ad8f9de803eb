package org.cover4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis of a chart: its data range rounded out to "nice" ticks (1, 2 or 5 times a power of ten, or
 * decades on a log scale), and the mapping from values to pixels.
 */
final class PlotAxis {
    final double lo;
    final double hi;
    final boolean log;
    final double step;
    private final double[] ticks;

    private PlotAxis(double lo, double hi, boolean log, double step, double[] ticks) {
        this.lo = lo;
        this.hi = hi;
        this.log = log;
        this.step = step;
        this.ticks = ticks;
    }

    /**
     * Axis over {@code [min, max]} of the data. {@code extend} widens the range to the outer ticks (for value
     * axes); otherwise the range stays the data's and only inner ticks are shown (for step axes).
     */
    static PlotAxis linear(double min, double max, boolean extend) {
        if (!(min <= max)) {
            min = 0;
            max = 1;
        }
        if (min == max) {
            double d = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= d;
            max += d;
        }
        double step = niceStep((max - min) / 5);
        double lo = extend ? Math.floor(min / step + 1e-9) * step : min;
        double hi = extend ? Math.ceil(max / step - 1e-9) * step : max;
        List<Double> t = new ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
            t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return new PlotAxis(lo, hi, false, step, t.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Log axis over whole decades holding {@code [min, max]} (both positive). */
    static PlotAxis log10(double min, double max) {
        if (!(min > 0 && max >= min)) {
            min = 1;
            max = 10;
        }
        int a = (int) Math.floor(Math.log10(min) + 1e-12);
        int b = (int) Math.ceil(Math.log10(max) - 1e-12);
        if (b <= a) b = a + 1;
        List<Double> t = new ArrayList<>();
        for (int k = a; k <= b; k++) {
            t.add(Math.pow(10, k));
            // Few decades: 2x and 5x ticks too, or the axis has only two labels.
            if (b - a <= 2 && k < b) {
                t.add(2 * Math.pow(10, k));
                t.add(5 * Math.pow(10, k));
            }
        }
        return new PlotAxis(Math.pow(10, a), Math.pow(10, b), true, 0, t.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}'s order. */
    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double f = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
        return f * mag;
    }

    double[] ticks() {
        return ticks.clone();
    }

    /** Fraction 0..1 of the way from {@code lo} to {@code hi} (outside for values beyond the range). */
    double fraction(double v) {
        if (log) return (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return (v - lo) / (hi - lo);
    }

    /** Whether {@code v} can be drawn on this axis. */
    boolean plottable(double v) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    /** Tick label: as many decimals as the step needs; scientific for very large or small numbers. */
    String label(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (log) {
            long k = Math.round(Math.log10(a));
            if (Math.abs(a - Math.pow(10, k)) < 1e-9 * a && (k < -3 || k > 4)) return "1e" + k;
            if (a >= 1e-3 && a < 1e5) return trim(String.format(Locale.ROOT, "%.4f", v));
            return String.format(Locale.ROOT, "%.0e", v);
        }
        if (a >= 1e5 || step < 1e-4) return String.format(Locale.ROOT, "%.2e", v);
        int dec = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + dec + "f", v);
    }

    private static String trim(String s) {
        if (!s.contains(".")) return s;
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
