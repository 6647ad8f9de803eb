package org.cover4j.data;

/**
 * Where a preset expects its files under the data folder, as {@link Glob} patterns relative to it.
 * Placeholders: {@code {split}} (train, val, test: split folders), {@code {class}} (each class name: class
 * folders), {@code {id}} (each id of the class table).
 *
 * @param images      pattern of image files
 * @param labels      pattern of label-map files (matched to images by name stem), or null
 * @param imageSuffix suffix removed from image stems before matching (e.g. {@code _T2w}), or ""
 * @param labelSuffix suffix removed from label stems before matching (e.g. {@code _dseg}), or ""
 * @param classTable  CSV (relative path) giving each id's class, or null
 * @param idColumn    column of {@code classTable} with the id
 * @param classColumn column of {@code classTable} with the class index
 */
public record Layout(String images, String labels, String imageSuffix, String labelSuffix,
                     String classTable, String idColumn, String classColumn) {

    public static Layout images(String images) {
        return new Layout(images, null, "", "", null, null, null);
    }

    public static Layout paired(String images, String labels) {
        return new Layout(images, labels, "", "", null, null, null);
    }

    public static Layout paired(String images, String labels, String imageSuffix, String labelSuffix) {
        return new Layout(images, labels, imageSuffix, labelSuffix, null, null, null);
    }

    public static Layout classTable(String images, String table, String idColumn, String classColumn) {
        return new Layout(images, null, "", "", table, idColumn, classColumn);
    }

    /** Markdown-friendly description. */
    public String describe() {
        StringBuilder sb = new StringBuilder("`" + images + "`");
        if (labels != null) {
            sb.append(" + labels `").append(labels).append("` (same name stem");
            if (!imageSuffix.isEmpty() || !labelSuffix.isEmpty()) {
                sb.append(" after removing `").append(imageSuffix).append("` / `").append(labelSuffix).append('`');
            }
            sb.append(')');
        }
        if (classTable != null) {
            sb.append("; classes from `").append(classTable).append("` (columns `").append(idColumn)
                    .append("`, `").append(classColumn).append("`)");
        }
        return sb.toString();
    }
}
