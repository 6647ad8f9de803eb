package org.cover4j.data;

import java.nio.file.Path;

/**
 * One item of a file-based data set before loading: where its image (and label) live, its class and split.
 *
 * @param id         name of the item (file name stem or manifest id)
 * @param image      image file
 * @param label      label-map file, or null
 * @param classIndex class, or {@link Sample#NO_CLASS}
 * @param split      split given by the source (manifest column, split folder), or null
 */
public record Entry(String id, Path image, Path label, int classIndex, Split split) {
    public static Entry of(String id, Path image) {
        return new Entry(id, image, null, Sample.NO_CLASS, null);
    }

    public Entry withSplit(Split s) {
        return new Entry(id, image, label, classIndex, s);
    }
}
