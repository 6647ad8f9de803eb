package org.cover4j.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * All supported images in a folder, sorted by path, as an unlabeled data set (pre-training). The id of each
 * sample is its path relative to the folder without the extension, with '/' separators.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /** The images directly in {@code dir}. */
    public static FileDataset open(Path dir) {
        return open(dir, false);
    }

    /**
     * The images in {@code dir} (and its sub-folders when {@code recursive}). An empty or missing folder is a
     * {@link org.cover4j.util.CoverException} naming the folder and listing the accepted extensions.
     */
    public static FileDataset open(Path dir, boolean recursive) {
        List<Entry> out = new ArrayList<>();
        for (Path p : ImageFiles.list(dir, recursive)) out.add(Entry.of(relativeId(dir, p), p));
        return new FileDataset(out);
    }

    static String relativeId(Path root, Path file) {
        Path rel = root.relativize(file);
        String parent = rel.getParent() == null ? "" : rel.getParent().toString().replace('\\', '/') + "/";
        return parent + ImageFiles.stem(rel.getFileName().toString());
    }
}
