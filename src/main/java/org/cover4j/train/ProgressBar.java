package org.cover4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress display: step, bar, steps/s, ETA and named values. On a terminal it redraws in place
 * at most every 200 ms; otherwise (logs, CI) it prints a plain line about every 10% or 30 s.
 */
public final class ProgressBar {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final long first;
    private final boolean interactive;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private long lastPlainStep = -1;

    public ProgressBar(PrintStream out, String label, long firstStep, long total, boolean interactive) {
        this.out = out;
        this.label = label;
        this.first = firstStep;
        this.total = total;
        this.interactive = interactive;
    }

    /** Whether standard error looks like a terminal someone is watching. */
    public static boolean terminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    public void update(long step, String values) {
        long now = System.nanoTime();
        boolean last = step >= total;
        double elapsed = (now - startNanos) / 1e9;
        double rate = (step - first + 1) / Math.max(elapsed, 1e-9);
        double eta = (total - step) / Math.max(rate, 1e-9);
        if (interactive) {
            if (!last && now - lastDraw < 200_000_000L) return;
            lastDraw = now;
            int width = 24;
            int filled = (int) (width * step / Math.max(1, total));
            String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
            out.printf(Locale.ROOT, "\r%s %d/%d [%s] %.2f it/s ETA %s %s   ", label, step, total, bar, rate, clock(eta), values);
            if (last) out.println();
        } else {
            long every = Math.max(1, total / 10);
            boolean due = step == first || last || step % every == 0 || now - lastDraw > 30_000_000_000L;
            if (!due || step == lastPlainStep) return;
            lastDraw = now;
            lastPlainStep = step;
            out.printf(Locale.ROOT, "%s %d/%d %.2f it/s ETA %s %s%n", label, step, total, rate, clock(eta), values);
        }
        out.flush();
    }

    static String clock(double seconds) {
        if (!Double.isFinite(seconds)) return "--:--";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
