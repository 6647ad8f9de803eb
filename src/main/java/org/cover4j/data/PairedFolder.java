package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Images and label maps in two folders, matched by file-name stem ({@code images/case01.png} ↔
 * {@code labels/case01.png}; extensions may differ). Optional suffixes are removed from the stems before
 * matching, for layouts such as BIDS ({@code sub-001_T2w.nii.gz} ↔ {@code sub-001_dseg.nii.gz}: suffixes
 * {@code _T2w} and {@code _dseg}). Every image must have exactly one label and vice versa; otherwise the
 * error lists the unmatched files. Shape and geometry of each pair are checked when the pair is loaded
 * (see {@link FileDataset}).
 */
public final class PairedFolder {
    private static final int LIST_AT_MOST = 5;

    private PairedFolder() {}

    /** Images directly in {@code imageDir}, labels directly in {@code labelDir}, same stems. */
    public static FileDataset open(Path imageDir, Path labelDir) {
        return open(imageDir, labelDir, false, "", "");
    }

    public static FileDataset open(Path imageDir, Path labelDir, boolean recursive, String imageSuffix, String labelSuffix) {
        List<Path> images = ImageFiles.list(imageDir, recursive);
        List<Path> labels = ImageFiles.list(labelDir, recursive);
        return new FileDataset(pair(images, labels, imageSuffix, labelSuffix, imageDir, labelDir));
    }

    /**
     * Pairs two file lists by stem (minus the suffixes, where a stem ends with one). Entries come out sorted by
     * key; the id is the key. {@code imageWhere}/{@code labelWhere} name the sources in error messages.
     */
    public static List<Entry> pair(List<Path> images, List<Path> labels, String imageSuffix, String labelSuffix,
                                   Path imageWhere, Path labelWhere) {
        Map<String, Path> img = byKey(images, imageSuffix, imageWhere);
        Map<String, Path> lab = byKey(labels, labelSuffix, labelWhere);
        List<String> noLabel = new ArrayList<>();
        List<String> noImage = new ArrayList<>();
        for (Map.Entry<String, Path> e : img.entrySet()) {
            if (!lab.containsKey(e.getKey())) noLabel.add(e.getValue().getFileName().toString());
        }
        for (Map.Entry<String, Path> e : lab.entrySet()) {
            if (!img.containsKey(e.getKey())) noImage.add(e.getValue().getFileName().toString());
        }
        if (!noLabel.isEmpty()) {
            throw CoverException.file(labelWhere, "no label for " + noLabel.size() + " of " + img.size()
                    + " images (matched by name stem" + suffixNote(imageSuffix, labelSuffix) + "): " + some(noLabel));
        }
        if (!noImage.isEmpty()) {
            throw CoverException.file(imageWhere, "no image for " + noImage.size() + " of " + lab.size()
                    + " labels (matched by name stem" + suffixNote(imageSuffix, labelSuffix) + "): " + some(noImage));
        }
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : img.entrySet()) {
            out.add(new Entry(e.getKey(), e.getValue(), lab.get(e.getKey()), Sample.NO_CLASS, null));
        }
        return out;
    }

    /** The matching key of a file: name stem without the suffix (if it ends with it). */
    public static String key(Path file, String suffix) {
        String stem = ImageFiles.stem(file.getFileName().toString());
        if (suffix != null && !suffix.isEmpty() && stem.endsWith(suffix) && stem.length() > suffix.length()) {
            return stem.substring(0, stem.length() - suffix.length());
        }
        return stem;
    }

    private static Map<String, Path> byKey(List<Path> files, String suffix, Path where) {
        Map<String, Path> m = new TreeMap<>();
        for (Path p : files) {
            Path prev = m.put(key(p, suffix), p);
            if (prev != null) {
                throw CoverException.file(where, "two files have the same name stem '" + key(p, suffix) + "': "
                        + prev + " and " + p);
            }
        }
        return m;
    }

    private static String suffixNote(String a, String b) {
        boolean sa = a != null && !a.isEmpty(), sb = b != null && !b.isEmpty();
        if (!sa && !sb) return "";
        return ", after removing suffixes '" + (sa ? a : "") + "' / '" + (sb ? b : "") + "'";
    }

    private static String some(List<String> names) {
        String s = String.join(", ", names.subList(0, Math.min(LIST_AT_MOST, names.size())));
        return names.size() > LIST_AT_MOST ? s + ", ... (" + (names.size() - LIST_AT_MOST) + " more)" : s;
    }
}
