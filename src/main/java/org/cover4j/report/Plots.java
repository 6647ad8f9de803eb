package org.cover4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.cover4j.util.CoverException;

/**
 * Charts for reports, drawn with Java2D (antialiased): line charts of one or more series (loss curves) and
 * bar charts with error bars (mean ± sd per method). Each returns a {@link BufferedImage} of exactly the
 * requested size; the {@code write*} variants save it as PNG. Non-finite points (and non-positive ones on a
 * log axis) are skipped and break the line.
 */
public final class Plots {
    private Plots() {
    }

    /** A named series of points. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values, " + y.length + " y values");
        }
    }

    private static final int LEFT = 78;
    private static final int RIGHT = 22;
    private static final int BOTTOM = 56;
    private static final Color GRID = new Color(0xE4E4E4);
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);

    /** Line chart of {@code series}; {@code logY} puts the y axis on a log scale (good for losses). */
    public static BufferedImage lineChart(String title, String xLabel, String yLabel, List<Series> series,
                                          int width, int height, boolean logY) {
        checkSize(width, height);
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double x = s.x()[i];
                double y = s.y()[i];
                if (!Double.isFinite(x) || !Double.isFinite(y) || (logY && y <= 0)) continue;
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        }
        PlotAxis xa = PlotAxis.linear(xMin, xMax, false);
        PlotAxis ya = logY ? PlotAxis.log10(yMin, yMax) : PlotAxis.linear(yMin, yMax, true);
        Canvas cv = new Canvas(width, height, title);
        cv.axes(xa, ya, xLabel, yLabel, true);
        Graphics2D g = cv.g;
        g.setClip(cv.left, cv.top, cv.plotW, cv.plotH);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(Palette.series(k));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            for (int i = 0; i < s.x().length; i++) {
                if (!xa.plottable(s.x()[i]) || !ya.plottable(s.y()[i])) {
                    pen = false;
                    continue;
                }
                double px = cv.px(xa, s.x()[i]);
                double py = cv.py(ya, s.y()[i]);
                if (pen) {
                    path.lineTo(px, py);
                } else {
                    path.moveTo(px, py);
                    path.lineTo(px, py); // a lone point still shows as a dot with round caps
                    pen = true;
                }
            }
            g.draw(path);
        }
        g.setClip(null);
        cv.legend(series.stream().map(Series::name).toList());
        return cv.finish();
    }

    /** Writes {@link #lineChart} as a PNG. */
    public static void writeLineChart(Path png, String title, String xLabel, String yLabel, List<Series> series,
                                      int width, int height, boolean logY) {
        Figures.writePng(lineChart(title, xLabel, yLabel, series, width, height, logY), png);
    }

    /**
     * Bar chart: one bar per label at {@code means[i]} with an error bar of ± {@code sds[i]} (none where sd is
     * NaN or {@code sds} is null) and the mean printed above it.
     */
    public static BufferedImage barChart(String title, String yLabel, List<String> labels, double[] means, double[] sds,
                                         int width, int height) {
        checkSize(width, height);
        int n = labels.size();
        if (means.length != n || (sds != null && sds.length != n)) {
            throw new IllegalArgumentException(n + " labels, " + means.length + " means, " + (sds == null ? 0 : sds.length) + " sds");
        }
        double lo = 0;
        double hi = 0;
        for (int i = 0; i < n; i++) {
            double sd = sds == null || !Double.isFinite(sds[i]) ? 0 : sds[i];
            if (!Double.isFinite(means[i])) continue;
            lo = Math.min(lo, means[i] - sd);
            hi = Math.max(hi, means[i] + sd);
        }
        PlotAxis ya = PlotAxis.linear(lo, hi + (hi - lo) * 0.08, true); // room for the value labels
        Canvas cv = new Canvas(width, height, title);
        cv.axes(null, ya, null, yLabel, false);
        Graphics2D g = cv.g;
        double slot = (double) cv.plotW / Math.max(1, n);
        double zero = cv.py(ya, 0);
        for (int i = 0; i < n; i++) {
            double cx = cv.left + slot * (i + 0.5);
            double bw = slot * 0.6;
            if (Double.isFinite(means[i])) {
                double top = cv.py(ya, means[i]);
                g.setColor(Palette.series(i));
                g.fill(new java.awt.geom.Rectangle2D.Double(cx - bw / 2, Math.min(top, zero), bw, Math.abs(zero - top)));
                double textY = Math.min(top, zero);
                if (sds != null && Double.isFinite(sds[i]) && sds[i] > 0) {
                    double y0 = cv.py(ya, means[i] - sds[i]);
                    double y1 = cv.py(ya, means[i] + sds[i]);
                    g.setColor(Color.BLACK);
                    g.setStroke(new BasicStroke(1.5f));
                    g.draw(new java.awt.geom.Line2D.Double(cx, y0, cx, y1));
                    g.draw(new java.awt.geom.Line2D.Double(cx - bw / 6, y0, cx + bw / 6, y0));
                    g.draw(new java.awt.geom.Line2D.Double(cx - bw / 6, y1, cx + bw / 6, y1));
                    textY = Math.min(textY, Math.min(y0, y1));
                }
                g.setColor(Color.BLACK);
                cv.text(String.format(Locale.ROOT, "%.3g", means[i]), cx, textY - 4, 0.5, 1);
            }
            cv.text(fit(cv, labels.get(i), slot - 4), cx, cv.top + cv.plotH + 8, 0.5, 0);
        }
        return cv.finish();
    }

    /** Writes {@link #barChart} as a PNG. */
    public static void writeBarChart(Path png, String title, String yLabel, List<String> labels, double[] means, double[] sds,
                                     int width, int height) {
        Figures.writePng(barChart(title, yLabel, labels, means, sds, width, height), png);
    }

    /**
     * Series from a CSV with a header row (e.g. a training metrics log): {@code xColumn} against each of
     * {@code yColumns}. Rows where a value is empty or not a number are skipped for that series, so columns
     * logged at different intervals each keep their own points.
     */
    public static List<Series> seriesFromCsv(Path csv, String xColumn, String... yColumns) {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(csv);
        } catch (java.io.IOException e) {
            throw CoverException.file(csv, "cannot read (" + e.getMessage() + ")");
        }
        if (lines.isEmpty()) throw CoverException.file(csv, "empty file, expected a header row");
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int xi = column(csv, header, xColumn);
        List<Series> out = new ArrayList<>();
        for (String yc : yColumns) {
            int yi = column(csv, header, yc);
            List<double[]> pts = new ArrayList<>();
            for (int r = 1; r < lines.size(); r++) {
                String[] f = lines.get(r).split(",", -1);
                if (f.length <= Math.max(xi, yi)) continue;
                Double x = parse(f[xi]);
                Double y = parse(f[yi]);
                if (x != null && y != null) pts.add(new double[] {x, y});
            }
            out.add(new Series(yc, pts.stream().mapToDouble(p -> p[0]).toArray(), pts.stream().mapToDouble(p -> p[1]).toArray()));
        }
        return out;
    }

    private static int column(Path csv, List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) throw CoverException.file(csv, "no column '" + name + "'; columns are " + String.join(", ", header));
        return i;
    }

    private static Double parse(String s) {
        try {
            return s.isBlank() ? null : Double.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String fit(Canvas cv, String s, double maxWidth) {
        if (cv.width(s) <= maxWidth) return s;
        String t = s;
        while (t.length() > 1 && cv.width(t + "…") > maxWidth) t = t.substring(0, t.length() - 1);
        return t + "…";
    }

    private static void checkSize(int width, int height) {
        if (width < 160 || height < 120 || width > 8000 || height > 8000) {
            throw CoverException.usage("plot size must be between 160x120 and 8000x8000 pixels, got " + width + "x" + height);
        }
    }

    /** The figure being drawn: plot-area geometry, axes, text and legend. */
    private static final class Canvas {
        final BufferedImage img;
        final Graphics2D g;
        final int left;
        final int top;
        final int plotW;
        final int plotH;
        private final boolean textOk;

        Canvas(int width, int height, String title) {
            img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            textOk = Figures.fontsWork();
            boolean hasTitle = title != null && !title.isEmpty();
            left = LEFT;
            top = hasTitle ? 40 : 16;
            plotW = width - LEFT - RIGHT;
            plotH = height - top - BOTTOM;
            if (hasTitle) {
                g.setColor(Color.BLACK);
                g.setFont(TITLE_FONT);
                text(title, left + plotW / 2.0, 12, 0.5, 0);
            }
            g.setFont(FONT);
        }

        double px(PlotAxis a, double v) {
            return left + a.fraction(v) * plotW;
        }

        double py(PlotAxis a, double v) {
            return top + plotH - a.fraction(v) * plotH;
        }

        /** Grid, frame, tick labels and axis titles; {@code xa} null for a category axis. */
        void axes(PlotAxis xa, PlotAxis ya, String xLabel, String yLabel, boolean vertGrid) {
            g.setStroke(new BasicStroke(1f));
            for (double t : ya.ticks()) {
                double y = py(ya, t);
                g.setColor(GRID);
                g.draw(new java.awt.geom.Line2D.Double(left, y, left + plotW, y));
                g.setColor(Color.BLACK);
                g.draw(new java.awt.geom.Line2D.Double(left - 5, y, left, y));
                text(ya.label(t), left - 8, y, 1, 0.5);
            }
            if (xa != null) {
                for (double t : xa.ticks()) {
                    double x = px(xa, t);
                    if (vertGrid) {
                        g.setColor(GRID);
                        g.draw(new java.awt.geom.Line2D.Double(x, top, x, top + plotH));
                    }
                    g.setColor(Color.BLACK);
                    g.draw(new java.awt.geom.Line2D.Double(x, top + plotH, x, top + plotH + 5));
                    text(xa.label(t), x, top + plotH + 8, 0.5, 0);
                }
            }
            g.setColor(Color.BLACK);
            g.drawRect(left, top, plotW, plotH);
            if (xLabel != null && !xLabel.isEmpty()) text(xLabel, left + plotW / 2.0, top + plotH + 30, 0.5, 0);
            if (yLabel != null && !yLabel.isEmpty() && textOk) {
                AffineTransform saved = g.getTransform();
                g.rotate(-Math.PI / 2);
                // Rotated by -90 degrees, user (x', y') lands at device (y', -x'): centre along the plot's height.
                text(yLabel, -(top + plotH / 2.0), 8, 0.5, 0);
                g.setTransform(saved);
            }
        }

        void legend(List<String> names) {
            if (names.isEmpty() || !textOk) return;
            FontMetrics fm = g.getFontMetrics();
            int w = 0;
            for (String s : names) w = Math.max(w, fm.stringWidth(s));
            int lineH = fm.getHeight();
            int boxW = w + 44;
            int boxH = lineH * names.size() + 10;
            int x0 = left + plotW - boxW - 8;
            int y0 = top + 8;
            g.setColor(new Color(255, 255, 255, 225));
            g.fillRect(x0, y0, boxW, boxH);
            g.setColor(Color.GRAY);
            g.drawRect(x0, y0, boxW, boxH);
            for (int i = 0; i < names.size(); i++) {
                double cy = y0 + 5 + lineH * (i + 0.5);
                g.setColor(Palette.series(i));
                g.setStroke(new BasicStroke(3f));
                g.draw(new java.awt.geom.Line2D.Double(x0 + 8, cy, x0 + 30, cy));
                g.setColor(Color.BLACK);
                text(names.get(i), x0 + 36, cy, 0, 0.5);
            }
        }

        double width(String s) {
            return textOk ? g.getFontMetrics().stringWidth(s) : 0;
        }

        /**
         * Draws {@code s} anchored at (x, y): {@code ax} 0/0.5/1 puts x at its left/centre/right, {@code ay}
         * 0/0.5/1 puts y at its top/middle/bottom.
         */
        void text(String s, double x, double y, double ax, double ay) {
            if (!textOk || s == null || s.isEmpty()) return;
            FontMetrics fm = g.getFontMetrics();
            double w = fm.stringWidth(s);
            double h = fm.getAscent() + fm.getDescent();
            double topY = y - ay * h;
            g.drawString(s, (float) (x - ax * w), (float) (topY + fm.getAscent()));
        }

        BufferedImage finish() {
            g.dispose();
            return img;
        }
    }
}
