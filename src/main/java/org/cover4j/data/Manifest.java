package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A data set described by a CSV file. The header names the columns: {@code image} (required), at most one of
 * {@code label} (segmentation map) and {@code class} (classification), and optionally {@code split}
 * (train/val/test) and {@code id}. Relative paths are resolved against the CSV's folder. Fields may be quoted.
 *
 * <p>Classes may be written as integers (used as they are) or as names (numbered in sorted order; see
 * {@link #classNames()}). An empty label or class leaves that row unlabeled. Every problem (unknown column,
 * wrong field count, missing file, bad split or class) is a {@link CoverException} naming the file and line.
 *
 * <pre>
 * image,label,split
 * images/case01.nii.gz,labels/case01.nii.gz,train
 * "images/case 02.nii.gz",labels/case02.nii.gz,test
 * </pre>
 */
public final class Manifest {
    private static final List<String> COLUMNS = List.of("image", "label", "class", "split", "id");
    private final Path file;
    private final List<Entry> entries;
    private final List<String> classNames;

    private Manifest(Path file, List<Entry> entries, List<String> classNames) {
        this.file = file;
        this.entries = entries;
        this.classNames = classNames;
    }

    public static Manifest read(Path csv) {
        return read(csv, null, null);
    }

    /**
     * As {@link #read(Path)}, for a use that needs column {@code required} ({@code label} or {@code class}, named
     * {@code purpose} in the message): checked in the header, before any row is read, so that classes in a
     * {@code label} column are reported as the wrong column and not as label files that do not exist.
     */
    public static Manifest read(Path csv, String required, String purpose) {
        List<Csv.Row> rows = Csv.read(csv);
        if (rows.isEmpty()) throw CoverException.file(csv, "empty manifest; expected a header such as 'image,label'");
        Csv.Row header = rows.get(0);
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.fields().size(); i++) {
            String name = header.fields().get(i).toLowerCase(java.util.Locale.ROOT);
            if (!COLUMNS.contains(name)) {
                throw CoverException.file(csv, "line " + header.line() + ": unknown column '" + header.fields().get(i)
                        + "'; accepted columns: " + String.join(", ", COLUMNS));
            }
            if (col.put(name, i) != null) {
                throw CoverException.file(csv, "line " + header.line() + ": column '" + name + "' appears twice");
            }
        }
        if (!col.containsKey("image")) {
            throw CoverException.file(csv, "line " + header.line() + ": no 'image' column; header must be e.g. 'image,label' or 'image,class'");
        }
        if (col.containsKey("label") && col.containsKey("class")) {
            throw CoverException.file(csv, "line " + header.line() + ": use either a 'label' or a 'class' column, not both");
        }
        if (required != null && !col.containsKey(required)) {
            throw CoverException.file(csv, "line " + header.line() + ": " + purpose + " needs columns image," + required
                    + " (optional: split, id); found " + String.join(",", header.fields()));
        }
        if (rows.size() == 1) throw CoverException.file(csv, "manifest has a header but no rows");

        Path base = csv.toAbsolutePath().getParent();
        int width = header.fields().size();
        // classes: integers as they are, otherwise names numbered in sorted order
        Integer classCol = col.get("class");
        boolean numericClasses = true;
        TreeSet<String> names = new TreeSet<>();
        if (classCol != null) {
            for (Csv.Row r : rows.subList(1, rows.size())) {
                if (r.fields().size() != width) continue; // reported below
                String c = r.fields().get(classCol);
                if (c.isEmpty()) continue;
                names.add(c);
                if (!c.matches("\\d{1,9}")) numericClasses = false;
            }
        }
        List<String> classNames = new ArrayList<>();
        if (classCol != null) {
            if (numericClasses) {
                int max = names.stream().mapToInt(Integer::parseInt).max().orElse(-1);
                for (int k = 0; k <= max; k++) classNames.add(Integer.toString(k));
            } else {
                classNames.addAll(names);
            }
        }

        List<Entry> entries = new ArrayList<>();
        for (Csv.Row r : rows.subList(1, rows.size())) {
            String where = "line " + r.line() + ": ";
            if (r.fields().size() != width) {
                throw CoverException.file(csv, where + "expected " + width + " fields as in the header, found " + r.fields().size());
            }
            String imageText = r.fields().get(col.get("image"));
            if (imageText.isEmpty()) throw CoverException.file(csv, where + "empty image path");
            Path image = resolve(csv, base, imageText, r.line());
            Path label = null;
            if (col.containsKey("label") && !r.fields().get(col.get("label")).isEmpty()) {
                label = resolve(csv, base, r.fields().get(col.get("label")), r.line());
            }
            int cls = Sample.NO_CLASS;
            if (classCol != null && !r.fields().get(classCol).isEmpty()) {
                String c = r.fields().get(classCol);
                cls = numericClasses ? Integer.parseInt(c) : classNames.indexOf(c);
            }
            Split split = null;
            if (col.containsKey("split") && !r.fields().get(col.get("split")).isEmpty()) {
                split = Split.parse(r.fields().get(col.get("split")), csv + ": line " + r.line());
            }
            String id = col.containsKey("id") && !r.fields().get(col.get("id")).isEmpty()
                    ? r.fields().get(col.get("id")) : ImageFiles.stem(image.getFileName().toString());
            entries.add(new Entry(id, image, label, cls, split));
        }
        return new Manifest(csv, List.copyOf(entries), List.copyOf(classNames));
    }

    private static Path resolve(Path csv, Path base, String text, int line) {
        Path p;
        try {
            p = base.resolve(text).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw CoverException.file(csv, "line " + line + ": invalid path '" + text + "'");
        }
        if (!Files.isRegularFile(p)) throw CoverException.file(csv, "line " + line + ": file not found: " + p);
        return p;
    }

    public Path file() { return file; }

    public List<Entry> entries() { return entries; }

    /** Class names by index (empty unless the manifest has a class column). */
    public List<String> classNames() { return classNames; }

    /** All rows as a data set. */
    public FileDataset dataset() { return new FileDataset(entries); }
}
