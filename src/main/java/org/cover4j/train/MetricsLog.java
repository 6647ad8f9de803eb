package org.cover4j.train;

import org.cover4j.io.AtomicFiles;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv}: one row per step, each written with one write call (so a killed run leaves at most one torn
 * last line) and flushed to the disk before the step's checkpoint can be committed. On resume, rows after the
 * checkpoint's step (written by the interrupted run after its last checkpoint) and a torn or foreign line are dropped
 * first, so the file reads as if the run had never stopped. A write that fails (a full disk) stops the run with a
 * line naming the file.
 */
public final class MetricsLog implements AutoCloseable {
    /** Where rows go: the file's channel, or a stand-in in tests. */
    interface Sink extends AutoCloseable {
        void append(byte[] row) throws IOException;

        void sync() throws IOException;

        @Override
        void close() throws IOException;
    }

    private final Path file;
    private final Sink sink;
    private final String[] columns;

    MetricsLog(Path file, Sink sink, String[] columns) {
        this.file = file;
        this.sink = sink;
        this.columns = columns;
    }

    /** Opens {@code file}, keeping only whole rows with step ≤ {@code keepUpTo} (0 = start afresh). */
    public static MetricsLog open(Path file, long keepUpTo, String... columns) {
        List<String> kept = keptRows(file, keepUpTo, columns.length);
        kept.add(0, String.join(",", columns));
        byte[] text = (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(text));
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new MetricsLog(file, new Sink() {
                @Override
                public void append(byte[] row) throws IOException {
                    ByteBuffer b = ByteBuffer.wrap(row);
                    while (b.hasRemaining()) ch.write(b);
                }

                @Override
                public void sync() throws IOException {
                    ch.force(false);
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            }, columns);
        } catch (IOException e) {
            throw failed(file, "cannot open for appending", e);
        }
    }

    /**
     * The rows of an earlier run to keep: those ending with a newline (a last line without one was torn by a kill), with
     * one value per column, a whole-number step, and step ≤ {@code keepUpTo}.
     */
    static List<String> keptRows(Path file, long keepUpTo, int columnCount) {
        List<String> kept = new ArrayList<>();
        if (keepUpTo <= 0 || !Files.exists(file)) return kept;
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failed(file, "cannot read", e);
        }
        int end = text.lastIndexOf('\n');
        String[] lines = end < 0 ? new String[0] : text.substring(0, end).split("\n", -1);
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.split(",", -1).length != columnCount) continue;
            try {
                if (Long.parseLong(line.substring(0, line.indexOf(','))) <= keepUpTo) kept.add(line);
            } catch (NumberFormatException | StringIndexOutOfBoundsException ignored) {
                // not a row of ours
            }
        }
        return kept;
    }

    public void row(Object... values) {
        if (values.length != columns.length) throw new IllegalArgumentException("expected " + columns.length + " values");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            Object v = values[i];
            sb.append(v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : String.valueOf(v));
        }
        sb.append('\n');
        try {
            sink.append(sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw failed(file, "cannot append a row", e);
        }
    }

    /** Flushes the rows to the disk: before a checkpoint, so that a checkpoint never outlives the rows that lead to it. */
    public void sync() {
        try {
            sink.sync();
        } catch (IOException e) {
            throw failed(file, "cannot flush to the disk", e);
        }
    }

    @Override
    public void close() {
        try {
            sink.close();
        } catch (IOException e) {
            throw failed(file, "cannot close", e);
        }
    }

    /** A write failure (typically a full disk) as one line naming the file; the run stops with status 4. */
    private static CoverException failed(Path file, String what, IOException e) {
        return new CoverException(file + ": " + what + " (" + e.getMessage() + "); free disk space and resume the run with --resume",
                CoverException.TRAINING_FAILED, e);
    }
}
