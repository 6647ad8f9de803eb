package org.cover4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * One of the paper's data sets: what it is, where its files are expected, how samples are preprocessed,
 * and how it is split. {@link #open} turns a data folder into per-split {@link Dataset}s.
 *
 * <p>If the data folder holds a {@code manifest.csv} (see {@link Manifest}), it replaces the layout: use it
 * for data arranged differently.
 *
 * @param name          preset name (as accepted by {@link Presets#get})
 * @param dim           2 or 3 (of the samples produced)
 * @param task          what the data set is used for
 * @param modality      imaging modality
 * @param description   what the data set is, with its source
 * @param layout        expected files under the data folder
 * @param preprocess    steps applied to each sample
 * @param numClasses    classes including background (segmentation) or categories (classification); 0 for pre-training
 * @param classNames    class names by index (classification: also the {@code {class}} folder names)
 * @param valFraction   validation fraction when the data carry no validation split
 * @param testFraction  test fraction when the data carry no split at all
 * @param labelFraction fraction of the training set that keeps its labels (1 = all)
 * @param sliceAxis     for 2D presets cut from 3D volumes: the axis (after reorientation) to slice; -1 otherwise
 * @param choices       which settings are ours rather than the paper's (shown in the README table)
 */
public record Preset(String name, int dim, Task task, String modality, String description, Layout layout,
                     Preprocess preprocess, int numClasses, List<String> classNames, double valFraction,
                     double testFraction, double labelFraction, int sliceAxis, String choices) {

    /** What a data set is used for. */
    public enum Task {
        PRETRAIN("pre-training"), SEGMENTATION("segmentation"), CLASSIFICATION("classification");

        private final String label;

        Task(String label) { this.label = label; }

        public String label() { return label; }
    }

    /** Seed of the default split. */
    public static final long DEFAULT_SEED = 0;

    public Preset {
        classNames = List.copyOf(classNames);
    }

    /** Opens the data folder with the default split seed. */
    public PresetData open(Path dataDir) {
        return open(dataDir, DEFAULT_SEED);
    }

    /** Opens the data folder: lists the files, splits them (seeded), and preprocesses samples as they load. */
    public PresetData open(Path dataDir, long seed) {
        return PresetLoader.open(this, dataDir, seed);
    }

    /** Applies this preset's preprocessing to one sample (for data loaded by other means). */
    public Sample prepare(Sample s) {
        return preprocess.prepare(s);
    }

    /** The default split in words, for tables. */
    public String describeSplit() {
        String s;
        if (layout.images().contains("{split}")) {
            s = "split folders" + (valFraction > 0 ? "; val " + pct(valFraction) + " of train if no val folder" : "");
        } else if (valFraction == 0 && testFraction == 0) {
            s = "all train";
        } else {
            s = "seeded " + pct(1 - valFraction - testFraction) + "/" + pct(valFraction) + "/" + pct(testFraction);
        }
        if (labelFraction < 1) s += "; " + pct(labelFraction) + " of train labelled";
        if (sliceAxis >= 0) s += "; split by volume";
        return s;
    }

    private static String pct(double f) {
        return Math.round(f * 100) + "%";
    }
}
