package org.cover4j.data;

import org.cover4j.io.MedicalImages;
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
     * Image extensions, longest first so that {@code .nii.gz} wins over {@code .gz}: used to cut name stems
     * and to list the accepted extensions in messages. Whether a name is an image is decided by
     * {@link MedicalImages#isSupportedImageName}.
     */
    public static final List<String> EXTENSIONS = List.of(
            ".nii.gz", ".jpeg", ".tiff", ".png", ".jpg", ".bmp", ".gif", ".tif", ".nii", ".hdr", ".mha", ".mhd",
            ".dcm", ".img");

    private ImageFiles() {}

    /** True if the I/O layer reads files of this name (case-insensitive extension). */
    public static boolean isImageName(String name) {
        return MedicalImages.isSupportedImageName(name);
    }

    /**
     * True for the {@code .img} half of an Analyze/NIfTI pair whose {@code .hdr} sits next to it: the pair is
     * one image, listed once through its header.
     */
    static boolean isPairData(Path file) {
        String n = file.getFileName().toString();
        if (!n.toLowerCase(Locale.ROOT).endsWith(".img")) return false;
        String base = n.substring(0, n.length() - 4);
        return Files.exists(file.resolveSibling(base + ".hdr")) || Files.exists(file.resolveSibling(base + ".HDR"));
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
                    .filter(p -> !isPairData(p))
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
