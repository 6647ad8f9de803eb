package org.cover4j.cli;

import org.cover4j.io.Image;
import org.cover4j.data.ImageFiles;
import org.cover4j.data.ImageOps;
import org.cover4j.io.MedicalImages;
import org.cover4j.util.CoverException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code cover4j slices}: cuts a 3D volume (and optionally its label volume) into 2D slice files laid out as
 * {@code DIR/images/} + {@code DIR/labels/} with identical names, the layout {@code finetune --task seg} pairs,
 * so that 2D pre-training and fine-tuning can use volumes. Labels can be merged into a few classes on the way.
 */
@Command(name = "slices", mixinStandardHelpOptions = true,
        header = "Cut a 3D volume (and its label volume) into 2D slice files for 2D training.",
        description = {"", "Writes DIR/images/<stem>_ax<A>_<kkk>.<ext> and, with --label, DIR/labels/<same name>, so that "
                + "'finetune --task seg --train DIR' pairs them. Slices are chosen with --from/--to/--every (inclusive range) or "
                + "--indices.", "",
                "nii.gz output keeps every voxel value and the slice's world geometry. png output: the label slices are written as "
                        + "8-bit PNG (label values must be 0..255); the image is written unchanged when every voxel of the volume is a "
                        + "whole number in 0..255, otherwise it is rescaled linearly from the volume's min..max to 0..255 and rounded "
                        + "(the same mapping for every slice).", "",
                "--label-map CSV: lines 'from,to' (whole numbers; a header line and '#' comments are allowed) mapping source label "
                        + "values to classes; values not listed become 0. Use it to merge atlas regions into a few classes.", ""})
public final class SlicesCommand implements Callable<Integer> {
    private static final List<String> FORMATS = List.of("nii.gz", "png");

    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The 3D volume (NIfTI, MetaImage, DICOM series folder).")
    Path image;

    @Option(names = "--label", paramLabel = "FILE", description = "Label volume on the same grid (same shape and affine).")
    Path label;

    @Option(names = "--axis", defaultValue = "2", paramLabel = "A", description = "Axis to slice along: 0, 1 or 2 (default: ${DEFAULT-VALUE}, axial for RAS volumes).")
    int axis;

    @Option(names = "--from", paramLabel = "I", description = "First slice index (default: 0).")
    Integer from;

    @Option(names = "--to", paramLabel = "J", description = "Last slice index, inclusive (default: the last slice).")
    Integer to;

    @Option(names = "--every", paramLabel = "N", description = "Take every N-th slice from --from (default: 1).")
    Integer every;

    @Option(names = "--indices", paramLabel = "K", split = ",", description = "Exactly these slice indices (instead of --from/--to/--every).")
    int[] indices;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (gets images/ and labels/).")
    Path out;

    @Option(names = "--label-map", paramLabel = "CSV", description = "Merge label values: CSV lines from,to; unlisted values become 0.")
    Path labelMap;

    @Option(names = "--format", defaultValue = "nii.gz", paramLabel = "EXT", description = "nii.gz or png (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--skip-empty-label", description = "Leave out slices whose (mapped) label is all 0.")
    boolean skipEmptyLabel;

    @Option(names = "--force", description = "Write into a non-empty DIR: files of the same names are replaced, nothing is deleted.")
    boolean force;

    public SlicesCommand() {}

    @Override
    public Integer call() {
        String ext = format.toLowerCase(Locale.ROOT).replaceFirst("^\\.", "");
        if (!FORMATS.contains(ext)) throw CoverException.usage("--format " + format + ": use nii.gz or png");
        if (label == null && (labelMap != null || skipEmptyLabel)) {
            throw CoverException.usage((labelMap != null ? "--label-map" : "--skip-empty-label") + " needs --label");
        }
        checkOut();
        Map<Integer, Integer> mapping = labelMap == null ? null : readLabelMap(labelMap);
        Image vol = volume(MedicalImages.read(image), image);
        if (axis < 0 || axis > 2) throw CoverException.usage("--axis " + axis + ": a 3D volume has axes 0, 1 and 2");
        int[] picked = pickIndices(vol.dim(axis));
        Image lab = null;
        if (label != null) {
            lab = volume(MedicalImages.read(label), label);
            checkSameGrid(vol, lab);
            lab = labels(lab, mapping);
        }
        if (ext.equals("png")) {
            vol = to8Bit(vol);
            if (lab != null) checkFits8Bit(lab);
        }
        String stem = ImageFiles.stem(image.getFileName().toString());
        Path imgDir = out.resolve("images");
        Path labDir = out.resolve("labels");
        mkdirs(imgDir);
        if (lab != null) mkdirs(labDir);
        int written = 0, skipped = 0;
        for (int k : picked) {
            Image labSlice = lab == null ? null : ImageOps.slice(lab, axis, k);
            if (skipEmptyLabel && allZero(labSlice.data())) {
                skipped++;
                continue;
            }
            String name = String.format(Locale.ROOT, "%s_ax%d_%03d.%s", stem, axis, k, ext);
            MedicalImages.write(imgDir.resolve(name), ImageOps.slice(vol, axis, k));
            if (labSlice != null) MedicalImages.write(labDir.resolve(name), labSlice);
            written++;
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "slices: wrote %d slice%s of %s (axis %d, shape %s)%s to %s%s%n", written, written == 1 ? "" : "s",
                image.getFileName(), axis, Arrays.toString(vol.shape()), skipped > 0 ? ", skipped " + skipped + " with empty labels," : "",
                imgDir, lab != null ? " and " + labDir : "");
        o.flush();
        return 0;
    }

    /** Refuses to mix new slices with files already in --out unless --force. */
    private void checkOut() {
        if (Files.exists(out) && !Files.isDirectory(out)) throw CoverException.usage("--out " + out + ": exists and is not a folder");
        if (force || !Files.isDirectory(out)) return;
        try (Stream<Path> s = Files.walk(out)) {
            if (s.anyMatch(Files::isRegularFile)) {
                throw CoverException.usage("--out " + out + ": already holds files; choose an empty folder or add --force");
            }
        } catch (IOException e) {
            throw CoverException.usage("--out " + out + ": cannot list (" + e.getMessage() + ")");
        }
    }

    /** The volume with trailing length-1 axes dropped; it must then be 3D. */
    private static Image volume(Image img, Path file) {
        int[] shape = img.shape();
        int n = shape.length;
        while (n > 3 && shape[n - 1] == 1) n--;
        if (n != 3) throw CoverException.file(file, "a " + n + "D image " + Arrays.toString(shape) + "; slices needs a 3D volume");
        if (n == shape.length) return img;
        return new Image(img.data(), img.channels(), Arrays.copyOf(shape, 3), Arrays.copyOf(img.spacing(), 3), img.affine(),
                img.format(), img.datatype());
    }

    /** The slice indices asked for, checked against the axis length {@code n}. */
    private int[] pickIndices(int n) {
        String range = "axis " + axis + " of " + image + " has slices 0.." + (n - 1);
        if (indices != null) {
            if (from != null || to != null || every != null) throw CoverException.usage("--indices replaces --from/--to/--every; give one or the other");
            if (indices.length == 0) throw CoverException.usage("--indices: no index given");
            int[] sorted = indices.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) {
                if (sorted[i] < 0 || sorted[i] >= n) throw CoverException.usage("--indices " + sorted[i] + ": outside the volume (" + range + ")");
                if (i > 0 && sorted[i] == sorted[i - 1]) throw CoverException.usage("--indices: " + sorted[i] + " is given twice");
            }
            return sorted;
        }
        int lo = from == null ? 0 : from;
        int hi = to == null ? n - 1 : to;
        int step = every == null ? 1 : every;
        if (step < 1) throw CoverException.usage("--every " + step + ": must be at least 1");
        if (lo < 0 || lo >= n) throw CoverException.usage("--from " + lo + ": outside the volume (" + range + ")");
        if (hi < 0 || hi >= n) throw CoverException.usage("--to " + hi + ": outside the volume (" + range + ")");
        if (hi < lo) throw CoverException.usage("--to " + hi + " is before --from " + lo);
        int[] out = new int[(hi - lo) / step + 1];
        for (int i = 0; i < out.length; i++) out[i] = lo + i * step;
        return out;
    }

    private void checkSameGrid(Image vol, Image lab) {
        if (!Arrays.equals(vol.shape(), lab.shape())) {
            throw CoverException.file(label, "shape " + Arrays.toString(lab.shape()) + " differs from --image " + image + " "
                    + Arrays.toString(vol.shape()) + "; the label volume must be on the image's grid");
        }
        if (lab.channels() != 1) throw CoverException.file(label, "has " + lab.channels() + " channels; a label volume has one");
        double[][] a = vol.affine(), b = lab.affine();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                if (Math.abs(a[r][c] - b[r][c]) > 1e-3 * Math.max(1, Math.abs(a[r][c]))) {
                    throw CoverException.file(label, "affine differs from --image " + image + " (row " + r + ", column " + c + ": "
                            + b[r][c] + " vs " + a[r][c] + "); the label volume must be on the image's grid");
                }
            }
        }
    }

    /** Whole-number label values, mapped through {@code mapping} when given; stored with the narrowest integer type. */
    private Image labels(Image lab, Map<Integer, Integer> mapping) {
        float[] d = lab.data();
        float[] outv = new float[d.length];
        float max = 0;
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (!Float.isFinite(v) || v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw CoverException.file(label, "value " + v + " at voxel " + i + " is not a whole number; label volumes hold integer labels");
            }
            float m = mapping == null ? v : mapping.getOrDefault((int) v, 0);
            outv[i] = m;
            max = Math.max(max, m);
        }
        String type = max <= 255 ? "uint8" : max <= Short.MAX_VALUE ? "int16" : "float32";
        return new Image(outv, 1, lab.shape(), lab.spacing(), lab.affine(), lab.format(), type);
    }

    /** The volume unchanged when it already is whole numbers 0..255, else rescaled from its min..max to 0..255. */
    private Image to8Bit(Image vol) {
        float[] d = vol.data();
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        boolean is8Bit = true;
        for (float v : d) {
            if (!Float.isFinite(v)) throw CoverException.file(image, "contains NaN or infinite values; a PNG cannot hold them");
            min = Math.min(min, v);
            max = Math.max(max, v);
            is8Bit &= v >= 0 && v <= 255 && v == Math.rint(v);
        }
        float[] o = is8Bit ? d : new float[d.length];
        if (!is8Bit) {
            double scale = max > min ? 255.0 / ((double) max - min) : 0;
            for (int i = 0; i < d.length; i++) o[i] = (float) Math.rint((d[i] - (double) min) * scale);
        }
        return new Image(o, vol.channels(), vol.shape(), vol.spacing(), vol.affine(), vol.format(), "uint8");
    }

    private void checkFits8Bit(Image lab) {
        for (float v : lab.data()) {
            if (v < 0 || v > 255) {
                throw CoverException.file(label, "label value " + (long) v + " does not fit an 8-bit PNG; use --format nii.gz or a --label-map");
            }
        }
    }

    /** Reads 'from,to' lines; a first line that is not two whole numbers is taken as a header. */
    static Map<Integer, Integer> readLabelMap(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw CoverException.file(file, "--label-map: no such file");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw CoverException.file(file, "--label-map: cannot read (" + e.getMessage() + ")");
        }
        Map<Integer, Integer> m = new HashMap<>();
        boolean first = true;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).replace("\uFEFF", "").strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] f = l.split(",", -1);
            int[] pair = f.length == 2 ? wholeNumbers(f[0].strip(), f[1].strip()) : null;
            boolean header = first && pair == null && f.length == 2;
            first = false;
            if (header) continue;
            if (pair == null) {
                throw CoverException.file(file, "--label-map line " + (i + 1) + " '" + l + "': expected two whole numbers 'from,to'");
            }
            if (pair[1] < 0) throw CoverException.file(file, "--label-map line " + (i + 1) + ": class " + pair[1] + " is negative");
            Integer prev = m.put(pair[0], pair[1]);
            if (prev != null && prev != pair[1]) {
                throw CoverException.file(file, "--label-map line " + (i + 1) + ": label " + pair[0] + " is mapped twice (" + prev + " and " + pair[1] + ")");
            }
        }
        if (m.isEmpty()) throw CoverException.file(file, "--label-map: no 'from,to' lines");
        return m;
    }

    private static int[] wholeNumbers(String a, String b) {
        try {
            return new int[] {Integer.parseInt(a), Integer.parseInt(b)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean allZero(float[] d) {
        for (float v : d) if (v != 0) return false;
        return true;
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw CoverException.usage("--out: cannot create " + dir + " (" + e.getMessage() + ")");
        }
    }
}
