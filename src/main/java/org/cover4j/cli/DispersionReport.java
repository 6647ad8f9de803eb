package org.cover4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.downstream.Evaluation;
import org.cover4j.metrics.MetricsWriter;
import org.cover4j.metrics.NeighbourhoodDispersion;
import org.cover4j.report.Plots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code analyze dispersion} found, as a table, JSON lines, {@code dispersion.json} and a histogram figure.
 * Every number is of {@code delta / 2}; JSON has no NaN, so a non-finite statistic is written as null.
 */
record DispersionReport(int dims, int level, int radius, int size, int[] grid, int images, String data, List<Row> rows) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One model's result; {@code channels} = the feature channels at the level. */
    record Row(String model, int channels, NeighbourhoodDispersion.Summary summary) {}

    String table() {
        int width = Math.max(5, rows.stream().mapToInt(r -> r.model().length()).max().orElse(0));
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s %5s %6s %10s %8s %8s %8s%n",
                "model", "level", "radius", "pixels", "mean", "median", "p95"));
        for (Row r : rows) {
            NeighbourhoodDispersion.Summary s = r.summary();
            b.append(String.format(Locale.ROOT, "%-" + width + "s %5d %6d %10d %8.4f %8.4f %8.4f%n",
                    r.model(), level, radius, s.pixels(), s.mean(), s.median(), s.p95()));
        }
        b.append(String.format(Locale.ROOT, "delta/2 over %s, %dD, size %d (level %d grid %s)%n", data, dims, size, level, gridText()));
        return b.toString();
    }

    /** One JSON object per model, one per line. */
    String jsonLines() {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            try {
                b.append(JSON.writeValueAsString(record(r))).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.toString();
    }

    /** {@code dir/dispersion.json} (every model's record) and {@code dir/dispersion_histogram.png} (all models overlaid). */
    void write(Path dir) {
        Evaluation.createDirectories(dir);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("measure", "delta/2, COVER supplementary Eq. 3");
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) list.add(record(r));
        all.put("models", list);
        MetricsWriter.writeJson(dir.resolve("dispersion.json"), all);
        List<Plots.Series> series = new ArrayList<>();
        for (Row r : rows) {
            long[] counts = r.summary().histogram();
            double[] x = new double[counts.length];
            double[] y = new double[counts.length];
            for (int k = 0; k < counts.length; k++) {
                x[k] = (k + 0.5) / counts.length;
                y[k] = r.summary().pixels() == 0 ? Double.NaN : (double) counts[k] / r.summary().pixels();
            }
            series.add(new Plots.Series(r.model(), x, y));
        }
        Plots.writeLineChart(dir.resolve("dispersion_histogram.png"),
                String.format(Locale.ROOT, "Local feature dispersion, level %d, radius %d", level, radius),
                "delta / 2 (bin centre)", "fraction of pixels", series, 800, 500, false);
    }

    private Map<String, Object> record(Row r) {
        NeighbourhoodDispersion.Summary s = r.summary();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", r.model());
        o.put("dims", dims);
        o.put("level", level);
        o.put("radius", radius);
        o.put("size", size);
        o.put("grid", grid);
        o.put("channels", r.channels());
        o.put("images", images);
        o.put("data", data);
        o.put("pixels", s.pixels());
        o.put("mean", finite(s.mean()));
        o.put("median", finite(s.median()));
        o.put("p95", finite(s.p95()));
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lo", 0.0);
        h.put("hi", 1.0);
        h.put("counts", s.histogram());
        o.put("histogram", h);
        return o;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private String gridText() {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < grid.length; a++) b.append(a > 0 ? "x" : "").append(grid[a]);
        return b.toString();
    }
}
