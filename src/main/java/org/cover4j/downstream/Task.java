package org.cover4j.downstream;

import org.cover4j.util.CoverException;

import java.util.Locale;

/** What a downstream model predicts: a label per voxel (segmentation) or per image (classification). */
public enum Task {
    SEG("segmentation", "mean_dice"),
    CLS("classification", "accuracy");

    private final String label;
    private final String metric;

    Task(String label, String metric) {
        this.label = label;
        this.metric = metric;
    }

    /** In words, for logs and reports. */
    public String label() {
        return label;
    }

    /** The validation metric that selects the best checkpoint (higher is better). */
    public String metric() {
        return metric;
    }

    /**
     * The feature level (0 = finest, full resolution … 4 = the deepest, 1/16) the task's head reads unless told
     * otherwise: segmentation the finest, classification the deepest (pooled).
     */
    public int defaultHeadLevel() {
        return this == SEG ? 0 : 4;
    }

    /** {@code seg}/{@code segmentation} or {@code cls}/{@code classification}. */
    public static Task parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("seg") || t.equals("segmentation")) return SEG;
        if (t.equals("cls") || t.equals("classification")) return CLS;
        throw CoverException.usage("--task " + s + ": expected seg or cls");
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
