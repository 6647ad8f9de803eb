package org.cover4j.pretrain;

import org.cover4j.data.Entry;
import org.cover4j.data.FileDataset;
import org.cover4j.io.Image;
import org.cover4j.data.ImageFolder;
import org.cover4j.data.ImageOps;
import org.cover4j.data.Interpolation;
import org.cover4j.data.Normalization;
import org.cover4j.data.Dataset;
import org.cover4j.data.Preset;
import org.cover4j.data.PresetData;
import org.cover4j.data.Sample;
import org.cover4j.io.MedicalImages;
import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The unlabelled images a pre-training run draws views from, each prepared once to the loader size
 * {@code L = 1.5·size} on every axis (single channel, intensities in about [0, 1]): resized to it (the reference,
 * {@code --resize square}), or, with {@code nativeScale} ({@code --resize none}), centre-cropped or zero-padded to it so
 * that views keep the images' own pixel spacing — the scale fine-tuning works at.
 *
 * <p>Preparation: 8-bit images are divided by 255 (the reference, SPEC §6.1); other data types (16-bit
 * X-rays, CT, MRI) are windowed to their 0.5–99.5 percentiles, which is robust to outliers. Every file is
 * read and checked when the run starts, so a bad file stops the run before training, with its name.
 */
public final class PretrainImages {
    /** Prepared images are kept in memory up to this many bytes; beyond it they are re-read when drawn. */
    private static final long CACHE_BYTES = 1L << 30;

    private final int count;
    private final int dims;
    private final int loaderSize;
    private final IntFunction<float[]> loader;
    private final float[][] cache;
    private final String listingHash;
    private final String description;

    private PretrainImages(int count, int dims, int loaderSize, IntFunction<float[]> loader, boolean cacheAll,
                           String listingHash, String description) {
        this.count = count;
        this.dims = dims;
        this.loaderSize = loaderSize;
        this.loader = loader;
        this.cache = cacheAll ? new float[count][] : null;
        this.listingHash = listingHash;
        this.description = description;
    }

    /** Images generated on the fly (the embedded synthetic phantoms): {@code make(i)} returns image i at loader size. */
    public static PretrainImages generated(int count, int dims, int loaderSize, IntFunction<float[]> make, String description) {
        return new PretrainImages(count, dims, loaderSize, make, true, sha256(description), description);
    }

    /**
     * All readable images in {@code dir}. Checks every file now: readable, matching {@code dims}, at least
     * {@code size} on every axis, finite values. {@code onChecked} is told the index of each checked file.
     */
    public static PretrainImages folder(Path dir, int dims, int size, int loaderSize, java.util.function.IntConsumer onChecked) {
        return folder(dir, dims, size, loaderSize, false, onChecked);
    }

    /** As {@link #folder(Path, int, int, int, java.util.function.IntConsumer)}; {@code nativeScale}: crop/pad instead of resizing. */
    public static PretrainImages folder(Path dir, int dims, int size, int loaderSize, boolean nativeScale, java.util.function.IntConsumer onChecked) {
        if (!Files.isDirectory(dir)) throw CoverException.usage("--data " + dir + ": not a folder");
        FileDataset ds = ImageFolder.open(dir);
        List<Path> files = new ArrayList<>();
        for (Entry e : ds.entries()) files.add(e.image());
        IntFunction<float[]> prepare = i -> prepare(files.get(i), dims, size, loaderSize, nativeScale);
        return checkedNow(files.size(), dims, loaderSize, prepare, listingHash(dir, files), files.size() + " images in " + dir,
                onChecked);
    }

    /** Prepares every image once now (a bad one stops the run before training), keeping them when they fit in memory. */
    private static PretrainImages checkedNow(int count, int dims, int loaderSize, IntFunction<float[]> prepare, String hash,
                                             String description, java.util.function.IntConsumer onChecked) {
        boolean cacheAll = 4L * (long) Math.pow(loaderSize, dims) * count <= CACHE_BYTES;
        PretrainImages images = new PretrainImages(count, dims, loaderSize, prepare, cacheAll, hash, description);
        for (int i = 0; i < count; i++) {
            float[] x = prepare.apply(i);
            if (cacheAll) images.cache[i] = x;
            onChecked.accept(i);
        }
        return images;
    }

    /**
     * The images of a data set preset ({@code --preset NAME --data DIR}): every split, each prepared by the
     * preset (its normalisation, reorientation, resizing), then brought to the loader size.
     */
    public static PretrainImages preset(Preset preset, Path dir, int dims, int size, int loaderSize, boolean nativeScale,
                                        java.util.function.IntConsumer onChecked) {
        if (preset.dim() != dims) {
            throw CoverException.usage("--preset " + preset.name() + " is " + preset.dim() + "D but --dim is " + dims);
        }
        PresetData data = preset.open(dir);
        List<Dataset> parts = new ArrayList<>();
        for (Dataset d : new Dataset[] {data.train(), data.val(), data.test()}) if (d != null && d.size() > 0) parts.add(d);
        int count = parts.stream().mapToInt(Dataset::size).sum();
        if (count == 0) throw CoverException.usage("--data " + dir + ": the " + preset.name() + " preset found no images");
        IntFunction<float[]> prepare = i -> {
            int k = i;
            for (Dataset d : parts) {
                if (k < d.size()) {
                    Sample s = preset.prepare(d.get(k));
                    return prepare(s.image(), Path.of(d.id(k)), dims, size, loaderSize, Normalization.none(), nativeScale);
                }
                k -= d.size();
            }
            throw new IndexOutOfBoundsException(i);
        };
        StringBuilder ids = new StringBuilder(preset.name());
        for (Dataset d : parts) for (int i = 0; i < d.size(); i++) ids.append('\n').append(d.id(i));
        return checkedNow(count, dims, loaderSize, prepare, sha256(ids.toString()),
                count + " images of preset " + preset.name() + " in " + dir, onChecked);
    }

    /**
     * One image file as pre-training prepares it: read, checked ({@code dims}, at least {@code size} on every axis,
     * finite), normalised as the class comment says and resized to {@code loaderSize} on every axis.
     */
    public static float[] prepare(Path file, int dims, int size, int loaderSize) {
        return prepare(file, dims, size, loaderSize, false);
    }

    /** As {@link #prepare(Path, int, int, int)}; {@code nativeScale}: centre-cropped or zero-padded to the loader size instead. */
    public static float[] prepare(Path file, int dims, int size, int loaderSize, boolean nativeScale) {
        Image img = MedicalImages.read(file);
        // 8-bit data as the reference (x/255); anything else windowed to its 0.5-99.5 percentiles.
        Normalization norm = "uint8".equals(img.datatype()) ? Normalization.divide(255) : Normalization.percentile(0.5, 99.5);
        return prepare(img, file, dims, size, loaderSize, norm, nativeScale);
    }

    /**
     * Checks one image (dimensionality, size, finite values), normalises it and brings it to the loader size: resized, or
     * ({@code nativeScale}) centre-cropped / padded with 0 — the normalised background of the 0.5-percentile window and of
     * most 8-bit images — so that a pixel stays a pixel.
     */
    static float[] prepare(Image img, Path file, int dims, int size, int loaderSize, Normalization norm, boolean nativeScale) {
        int[] shape = squeeze(img.shape());
        if (dims == 3 && shape.length == 2) {
            throw CoverException.file(file, "a 2D image (" + dimsText(shape) + ") but --dim 3 needs 3D volumes; use --dim 2");
        }
        if (dims == 2 && shape.length != 2) {
            throw CoverException.file(file, "a " + shape.length + "D image (" + dimsText(shape) + ") but --dim 2 needs 2D images; use --dim 3 for volumes");
        }
        if (dims == 3 && shape.length != 3) {
            throw CoverException.file(file, "a " + shape.length + "D image (" + dimsText(shape) + ") but --dim 3 needs 3D volumes");
        }
        for (int s : shape) {
            if (s < size) throw CoverException.file(file, "image is " + dimsText(shape) + ", smaller than --size " + size);
        }
        if (img.channels() > 1) img = ImageOps.toChannels(img, 1);
        float[] data = img.data();
        for (float v : data) {
            if (!Float.isFinite(v)) throw CoverException.file(file, "contains NaN or infinite values");
        }
        Image flat = new Image(data, 1, shape, Arrays.copyOf(img.spacing(), shape.length), null, img.format(), img.datatype());
        Image normalised = norm.apply(flat);
        int[] loader = repeat(loaderSize, dims);
        return (nativeScale ? ImageOps.cropOrPad(normalised, loader, 0f) : ImageOps.resize(normalised, loader, Interpolation.LINEAR)).data();
    }

    private static int[] squeeze(int[] shape) {
        return Arrays.stream(shape).filter(s -> s != 1).toArray().length >= 2
                ? Arrays.stream(shape).filter(s -> s != 1).toArray() : shape;
    }

    private static int[] repeat(int v, int n) {
        int[] a = new int[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String dimsText(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) sb.append(i > 0 ? "x" : "").append(shape[i]);
        return sb.toString();
    }

    /** Hash of the sorted relative file names, sizes and modification times: identifies the data a run used. */
    private static String listingHash(Path dir, List<Path> files) {
        StringBuilder sb = new StringBuilder();
        for (Path f : files) {
            try {
                sb.append(dir.relativize(f)).append('\t').append(Files.size(f)).append('\t')
                        .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            } catch (IOException e) {
                throw CoverException.file(f, "cannot be read (" + e.getMessage() + ")");
            }
        }
        return sha256(sb.toString());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public int size() {
        return count;
    }

    public int dims() {
        return dims;
    }

    public int loaderSize() {
        return loaderSize;
    }

    public String listingHash() {
        return listingHash;
    }

    public String description() {
        return description;
    }

    /** Image {@code i} at loader size (shared array: callers must not modify it). Thread-safe. */
    public float[] get(int i) {
        if (cache == null) return loader.apply(i);
        float[] x = cache[i];
        if (x == null) {
            x = loader.apply(i);
            cache[i] = x;
        }
        return x;
    }
}
