package org.cover4j.train;

import org.cover4j.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv}: one row per step, flushed as it is written. On resume, rows after the checkpoint's
 * step (written by the interrupted run after its last checkpoint) are dropped first, so the file reads
 * as if the run had never stopped.
 */
public final class MetricsLog implements AutoCloseable {
    private final BufferedWriter writer;
    private final String[] columns;

    private MetricsLog(BufferedWriter writer, String[] columns) {
        this.writer = writer;
        this.columns = columns;
    }

    /** Opens {@code file}, keeping only rows with step ≤ {@code keepUpTo} (0 = start afresh). */
    public static MetricsLog open(Path file, long keepUpTo, String... columns) {
        try {
            List<String> kept = new ArrayList<>();
            kept.add(String.join(",", columns));
            if (keepUpTo > 0 && Files.exists(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 1; i < lines.size(); i++) {
                    String line = lines.get(i);
                    int comma = line.indexOf(',');
                    if (comma <= 0) continue;
                    try {
                        if (Long.parseLong(line.substring(0, comma)) <= keepUpTo) kept.add(line);
                    } catch (NumberFormatException ignored) {
                        // a torn last line from a killed run
                    }
                }
            }
            byte[] text = (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, out -> out.write(text));
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            return new MetricsLog(w, columns);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void row(Object... values) {
        if (values.length != columns.length) throw new IllegalArgumentException("expected " + columns.length + " values");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            Object v = values[i];
            sb.append(v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : String.valueOf(v));
        }
        try {
            writer.write(sb.toString());
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
