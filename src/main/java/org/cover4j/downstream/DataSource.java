package org.cover4j.downstream;

import org.cover4j.data.Dataset;
import org.cover4j.data.Entry;
import org.cover4j.data.FileDataset;
import org.cover4j.data.ImageFiles;
import org.cover4j.data.Manifest;
import org.cover4j.data.PairedFolder;
import org.cover4j.data.Sample;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Labelled data given on the command line as a folder or a CSV manifest:
 * <ul>
 *   <li>segmentation: a folder with {@code images/} and {@code labels/} sub-folders (files matched by name stem),
 *       or a CSV with columns {@code image,label};</li>
 *   <li>classification: a folder with one sub-folder of images per class (class names = folder names, sorted),
 *       or a CSV with columns {@code image,class}.</li>
 * </ul>
 *
 * @param dataset    the samples (read lazily)
 * @param classNames classification: class name per index as the source numbers them; empty for segmentation
 * @param where      the flag and path, for messages
 */
public record DataSource(Dataset dataset, List<String> classNames, String where) {

    /** Opens {@code path} (a folder or a .csv) for {@code task}; {@code flag} names the option in errors. */
    public static DataSource open(Task task, Path path, String flag) {
        String where = flag + " " + path;
        if (!Files.exists(path)) throw CoverException.usage(where + ": no such file or folder");
        if (Files.isRegularFile(path)) {
            if (!path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
                throw CoverException.usage(where + ": expected a folder or a .csv manifest");
            }
            Manifest m = Manifest.read(path, task == Task.SEG ? "label" : "class", task == Task.SEG ? "segmentation" : "classification");
            for (Entry e : m.entries()) {
                if (task == Task.SEG && e.label() == null) {
                    throw CoverException.file(path, "segmentation needs a 'label' column with a label map for every image ("
                            + e.id() + " has none)");
                }
                if (task == Task.CLS && e.classIndex() == Sample.NO_CLASS) {
                    throw CoverException.file(path, "classification needs a 'class' column with a class for every image ("
                            + e.id() + " has none)");
                }
            }
            return new DataSource(m.dataset(), m.classNames(), where);
        }
        return task == Task.SEG ? pairedFolder(path, where) : classFolders(path, where);
    }

    private static DataSource pairedFolder(Path dir, String where) {
        Path images = dir.resolve("images");
        Path labels = dir.resolve("labels");
        if (!Files.isDirectory(images) || !Files.isDirectory(labels)) {
            throw CoverException.usage(where + ": expected sub-folders images/ and labels/ (files matched by name), or a CSV "
                    + "manifest with columns image,label; missing " + (!Files.isDirectory(images) ? images : labels));
        }
        return new DataSource(PairedFolder.open(images, labels), List.of(), where);
    }

    private static DataSource classFolders(Path dir, String where) {
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(dir)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw CoverException.usage(where + ": cannot list (" + e.getMessage() + ")");
        }
        // Taken as class folders, a segmentation folder would train an "images vs labels" classifier.
        List<String> names = classDirs.stream().map(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT)).toList();
        if (names.contains("images") && names.contains("labels")) {
            throw CoverException.usage(where + ": a segmentation folder (images/ and labels/), not one sub-folder per class; "
                    + "use --task seg for it, or give --task cls a folder of class sub-folders or a CSV image,class");
        }
        if (classDirs.isEmpty()) {
            throw CoverException.usage(where + ": expected one sub-folder of images per class (e.g. normal/, disease/), or a CSV "
                    + "manifest with columns image,class");
        }
        List<String> classNames = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (Path cd : classDirs) {
            int k = classNames.size();
            classNames.add(cd.getFileName().toString());
            for (Path f : ImageFiles.list(cd, false)) {
                String id = cd.getFileName() + "/" + ImageFiles.stem(f.getFileName().toString());
                entries.add(new Entry(id, f, null, k, null));
            }
        }
        return new DataSource(new FileDataset(entries), classNames, where);
    }

    public int size() {
        return dataset.size();
    }
}
