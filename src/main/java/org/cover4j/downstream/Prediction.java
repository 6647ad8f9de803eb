package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.cover4j.io.Image;
import org.cover4j.data.ImageFiles;
import org.cover4j.io.MedicalImages;
import org.cover4j.metrics.MetricsWriter;
import org.cover4j.report.Overlays;
import org.cover4j.util.CoverException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a fine-tuned model to new images. Segmentation writes, per input, a label map with the input's
 * geometry in the input's format ({@code OUT/NAME}: NIfTI keeps the affine, 2D pictures become PNG, other
 * 3D formats NIfTI), optionally one probability map per class ({@code OUT/probabilities/}), and a contour
 * overlay ({@code OUT/overlays/NAME.png}). Classification writes {@code OUT/predictions.csv}.
 */
public final class Prediction {
    private Prediction() {}

    /** Options of a prediction run. */
    public record Options(boolean probabilities, boolean overlays, int batch) {}

    /** The input files: {@code input} itself, or the supported images directly in the folder (sorted). */
    public static List<Path> inputs(Path input) {
        if (!Files.exists(input)) throw CoverException.usage("--input " + input + ": no such file or folder");
        if (Files.isRegularFile(input)) return List.of(input);
        return ImageFiles.list(input, false);
    }

    /**
     * Runs the model on every input; returns the files written (label maps, or the CSV). Every input is read and
     * checked against the model, and every output name planned, before anything is written: a broken or unsuitable
     * file among many, or two inputs that would write the same output, leave no output folder and no partial set
     * of outputs behind. (The inputs are read twice, once to check and once to predict, so that only one image is
     * held at a time.)
     */
    public static List<Path> run(DownstreamNet net, Device device, Path input, Path out, Options opt, PrintStream log) {
        List<Path> files = inputs(input);
        Predictor predictor = new Predictor(net, device, opt.batch());
        ModelSpec spec = net.spec();
        List<Path> written = new ArrayList<>();
        if (spec.task() == Task.CLS) {
            written.add(classify(predictor, spec, files, out));
            return written;
        }
        List<String> names = planOutputs(files, spec, input, out, opt);
        Evaluation.createDirectories(out);
        int k = spec.numClasses();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            Image raw = MedicalImages.read(f);
            Image x = ImagePrep.input(raw, spec, f);
            Case c = new Case(ImageFiles.stem(f.getFileName().toString()), f, x.data(), x.shape(), x.spacing(), null, -1);
            float[] probs = predictor.segmentationProbabilities(c);
            int[] labels = Predictor.argmax(probs, k);
            Path labelFile = out.resolve(names.get(i));
            writeLabels(labelFile, labels, raw, k);
            written.add(labelFile);
            if (opt.probabilities()) writeProbabilities(out.resolve(PROBABILITIES), names.get(i), raw, probs, k);
            if (opt.overlays()) writeOverlay(out.resolve(overlayName(f)), c, labels, null);
            log.printf("%s -> %s%n", f, labelFile);
        }
        return written;
    }

    private static final String PROBABILITIES = "probabilities";

    /** The overlay of an input, relative to the output folder. */
    private static String overlayName(Path input) {
        return "overlays/" + ImageFiles.stem(input.getFileName().toString()) + ".png";
    }

    /**
     * Reads and checks every input, and returns each one's label-map name; refuses two inputs that would write
     * the same file (label map, probability map or overlay), e.g. {@code a.nii} and {@code a.nii.gz}.
     */
    private static List<String> planOutputs(List<Path> files, ModelSpec spec, Path input, Path out, Options opt) {
        List<String> names = new ArrayList<>();
        Map<String, Path> writers = new HashMap<>();
        for (Path f : files) {
            Image raw = MedicalImages.read(f);
            ImagePrep.input(raw, spec, f);
            String name = outputName(f, raw);
            names.add(name);
            List<String> outputs = new ArrayList<>(List.of(name));
            if (opt.overlays()) outputs.add(overlayName(f));
            if (opt.probabilities()) {
                for (int c = 0; c < spec.numClasses(); c++) outputs.add(PROBABILITIES + "/" + probabilityName(name, c));
            }
            for (String o : outputs) {
                Path other = writers.putIfAbsent(o, f);
                if (other != null) {
                    throw CoverException.usage("--input " + input + ": " + other.getFileName() + " and " + f.getFileName()
                            + " would both write " + out.resolve(o) + "; rename one, or predict them into different --out folders");
                }
            }
        }
        return names;
    }

    private static Path classify(Predictor predictor, ModelSpec spec, List<Path> files, Path out) {
        List<Case> cases = new ArrayList<>();
        for (Path f : files) {
            Image x = ImagePrep.input(MedicalImages.read(f), spec, f);
            cases.add(new Case(ImageFiles.stem(f.getFileName().toString()), f, x.data(), x.shape(), x.spacing(), null, -1));
        }
        double[][] probs = predictor.classProbabilities(cases);
        List<String> header = new ArrayList<>(List.of("case", "file", "pred", "class"));
        for (String n : spec.classNames()) header.add("prob_" + n);
        List<List<String>> rows = new ArrayList<>();
        int[] pred = org.cover4j.metrics.ClassificationMetrics.argmax(probs);
        for (int i = 0; i < cases.size(); i++) {
            List<String> row = new ArrayList<>(List.of(cases.get(i).id(), cases.get(i).source().toString(), Integer.toString(pred[i]),
                    spec.classNames().get(pred[i])));
            for (double p : probs[i]) row.add(Double.toString(p));
            rows.add(row);
        }
        Path csv = out.resolve("predictions.csv");
        MetricsWriter.writeCsv(csv, header, rows);
        return csv;
    }

    /** The output file name for an input: same name for NIfTI/MetaImage, {@code .png} for 2D pictures, {@code .nii.gz} otherwise. */
    public static String outputName(Path input, Image raw) {
        String name = input.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        String stem = ImageFiles.stem(name);
        if (lower.endsWith(".nii") || lower.endsWith(".nii.gz") || lower.endsWith(".mha")) return name;
        if (lower.endsWith(".mhd")) return stem + ".mha";
        long nonSingleton = java.util.Arrays.stream(raw.shape()).filter(s -> s > 1).count();
        boolean picture = lower.matches(".*\\.(png|jpe?g|bmp|gif|tiff?)$");
        if (picture && nonSingleton <= 2) return stem + ".png";
        return stem + ".nii.gz";
    }

    /** A label map on the input's grid: its shape, spacing and affine; uint8 when the classes fit, else int16. */
    public static void writeLabels(Path file, int[] labels, Image raw, int numClasses) {
        float[] v = new float[labels.length];
        for (int i = 0; i < v.length; i++) v[i] = labels[i];
        Image img = new Image(v, 1, raw.shape(), raw.spacing(), raw.affine(), raw.format(), numClasses <= 256 ? "uint8" : "int16");
        MedicalImages.write(file, img);
    }

    /** The probability map of class {@code c} beside the label map {@code labelName}: {@code a.nii.gz} → {@code a_class1.nii.gz}. */
    private static String probabilityName(String labelName, int c) {
        String stem = ImageFiles.stem(labelName);
        return stem + "_class" + c + labelName.substring(stem.length());
    }

    /** One probability map per class: float32 for volumes, 8-bit (probability × 255) for PNG pictures. */
    static void writeProbabilities(Path dir, String labelName, Image raw, float[] probs, int k) {
        Evaluation.createDirectories(dir);
        boolean png = labelName.endsWith(".png");
        int n = probs.length / k;
        for (int c = 0; c < k; c++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = png ? Math.round(probs[c * n + i] * 255f) : probs[c * n + i];
            Image img = new Image(v, 1, raw.shape(), raw.spacing(), raw.affine(), raw.format(), png ? "uint8" : "float32");
            MedicalImages.write(dir.resolve(probabilityName(labelName, c)), img);
        }
    }

    /** A contour overlay of the (first channel of the) input with the prediction (solid) and reference (dashed, may be null). */
    public static void writeOverlay(Path png, Case c, int[] pred, int[] truth) {
        Evaluation.createDirectories(png.getParent());
        float[] gray = java.util.Arrays.copyOf(c.image(), c.voxels());
        int max = java.util.Arrays.stream(c.shape()).max().orElse(1);
        int scale = Math.max(1, Math.min(4, Math.round(384f / max)));
        Overlays.write(png, gray, c.shape(), pred, truth, scale);
    }
}
