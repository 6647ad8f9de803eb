package org.cover4j.downstream;

import org.cover4j.io.Image;
import org.cover4j.data.Sample;
import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads the samples of a {@link DataSource} into prepared {@link Case}s, checking labels and classes. */
public final class Cases {
    private Cases() {}

    /** How images become inputs before the model (and its classes) exist. */
    public record Prep(Task task, int dims, int inChannels, String normalization, int[] patch, boolean binaryLabels) {
        public static Prep of(ModelSpec s) {
            return new Prep(s.task(), s.dims(), s.inChannels(), s.normalization(), s.patch(), s.binaryLabels());
        }
    }

    /**
     * Reads and prepares every sample. Segmentation labels must be whole numbers below {@code numClasses} (unchecked
     * upper bound when {@code numClasses ≤ 0}); classification classes are renumbered by name into
     * {@code classNames} (the training set's), a name not there being an error.
     */
    public static List<Case> load(DataSource src, Prep prep, int numClasses, List<String> classNames) {
        List<Case> out = new ArrayList<>(src.size());
        for (int i = 0; i < src.size(); i++) {
            Sample s = src.dataset().get(i);
            Path file = sourceOf(src, i);
            Image x = ImagePrep.input(s.image(), prep.task(), prep.dims(), prep.inChannels(), prep.normalization(), prep.patch(), file);
            if (prep.task() == Task.SEG) {
                Path labelFile = labelOf(src, i);
                if (s.label() == null) throw CoverException.file(file, "has no label map");
                Image lab = ImagePrep.toDims(s.label(), prep.dims(), labelFile);
                if (!java.util.Arrays.equals(lab.shape(), x.shape())) {
                    throw CoverException.file(labelFile, "label shape " + java.util.Arrays.toString(lab.shape())
                            + " does not match the image's " + java.util.Arrays.toString(x.shape()));
                }
                int[] labels = ImagePrep.labels(lab, numClasses, prep.binaryLabels(), labelFile);
                out.add(new Case(s.id(), file, x.data(), x.shape(), x.spacing(), labels, -1));
            } else {
                int k = s.classIndex();
                if (k < 0) throw CoverException.file(file, "has no class");
                if (classNames != null && !src.classNames().isEmpty()) {
                    String name = src.classNames().get(k);
                    k = classNames.indexOf(name);
                    if (k < 0) {
                        throw CoverException.usage(src.where() + ": class '" + name + "' (" + file + ") is not one of the training classes "
                                + classNames);
                    }
                }
                if (numClasses > 0 && k >= numClasses) {
                    throw CoverException.usage(src.where() + ": class " + k + " of " + file + " is outside the declared classes 0.."
                            + (numClasses - 1) + " (--classes " + numClasses + ")");
                }
                out.add(new Case(s.id(), file, x.data(), x.shape(), x.spacing(), null, k));
            }
        }
        return out;
    }

    /** Largest label or class seen, plus one. */
    public static int classesSeen(List<Case> cases) {
        int max = 0;
        for (Case c : cases) {
            if (c.labels() != null) for (int v : c.labels()) max = Math.max(max, v);
            else max = Math.max(max, c.classIndex());
        }
        return max + 1;
    }

    /**
     * Refuses a class without any example among {@code cases} (a voxel of it for segmentation, an image for
     * classification): it could never be learned, and its metrics would be meaningless.
     */
    public static void requireEveryClass(List<Case> cases, int numClasses, String where) {
        long[] count = new long[numClasses];
        for (Case c : cases) {
            if (c.labels() != null) {
                for (int v : c.labels()) count[v]++;
            } else {
                count[c.classIndex()]++;
            }
        }
        for (int k = 0; k < numClasses; k++) {
            if (count[k] == 0) {
                throw CoverException.usage(where + ": class " + k + " has no " + (cases.get(0).labels() != null ? "labelled voxel" : "image")
                        + " in the " + cases.size() + " training cases; check the labels or --classes " + numClasses);
            }
        }
    }

    private static Path sourceOf(DataSource src, int i) {
        if (src.dataset() instanceof org.cover4j.data.FileDataset fd) return fd.entries().get(i).image();
        return Path.of(src.dataset().id(i));
    }

    private static Path labelOf(DataSource src, int i) {
        if (src.dataset() instanceof org.cover4j.data.FileDataset fd && fd.entries().get(i).label() != null) {
            return fd.entries().get(i).label();
        }
        return Path.of(src.dataset().id(i) + " (label)");
    }
}
