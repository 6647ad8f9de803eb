package org.cover4j.data;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which file names are images, what their name stem is, and sorted listings of image folders.
 *
 * <p>Listings are always sorted (by path relative to the folder, plain string order), never in directory
 * order, so that the same folder gives the same data set, splits and batches on every machine.
 */
public final class ImageFiles {
    /**
     * Accepted extensions, longest first so that {@code .nii.gz} wins over {@code .gz}. (To be replaced by
     * {@code MedicalImages.isSupportedImageName} once the I/O layer offers it.)
     */
    public static final List<String> EXTENSIONS = List.of(
            ".nii.gz", ".jpeg", ".tiff", ".png", ".jpg", ".bmp", ".tif", ".nii", ".mha", ".mhd", ".dcm", ".img");

    private ImageFiles() {}

    /** True if the file name ends with a supported image extension (case-insensitive). */
    public static boolean isImageName(String name) {
        return extension(name) != null;
    }

    /** The supported extension the name ends with (lower case, with its dot), or null. */
    public static String extension(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String e : EXTENSIONS) {
            if (n.endsWith(e) && n.length() > e.length()) return e;
        }
        return null;
    }

    /** The name without its image extension: {@code "case01.nii.gz"} → {@code "case01"}. */
    public static String stem(String name) {
        String e = extension(name);
        return e == null ? name : name.substring(0, name.length() - e.length());
    }

    /** The accepted extensions as one string for error messages. */
    public static String accepted() {
        return String.join(" ", EXTENSIONS);
    }

    /**
     * The image files in {@code dir} (and its sub-folders when {@code recursive}), sorted by relative path.
     * Hidden files (starting with '.') are skipped. A missing folder, a file given instead of a folder, or an
     * empty result is a {@link CoverException} naming the folder (and the accepted extensions).
     */
    public static List<Path> list(Path dir, boolean recursive) {
        if (!Files.exists(dir)) throw CoverException.file(dir, "folder does not exist");
        if (!Files.isDirectory(dir)) throw CoverException.file(dir, "is not a folder");
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
            s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> isImageName(p.getFileName().toString()))
                    .forEach(out::add);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw CoverException.file(dir, "cannot list folder: " + e.getMessage());
        }
        out.sort(Comparator.comparing(p -> dir.relativize(p).toString()));
        if (out.isEmpty()) {
            throw CoverException.file(dir, "no images found" + (recursive ? " (searched sub-folders too)" : "")
                    + "; accepted extensions: " + accepted());
        }
        return out;
    }
}
