package org.cover4j.cli;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.data.FileDataset;
import org.cover4j.data.ImageFolder;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.downstream.BackboneWeights;
import org.cover4j.downstream.DownstreamNet;
import org.cover4j.io.StateDicts;
import org.cover4j.metrics.NeighbourhoodDispersion;
import org.cover4j.nn.Params;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.pretrain.PretrainImages;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.torch.Devices;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;
import org.cover4j.torch.Torch;
import org.cover4j.train.ProgressBar;
import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;

/**
 * {@code cover4j analyze dispersion}: the local feature dispersion of the COVER paper (supplementary Eq. 3, see
 * {@link NeighbourhoodDispersion}) of one decoder level of one or more backbones, over every pixel of a set of
 * images. Each image is run through each backbone without gradients, in a step scope of its own, so native memory
 * stays flat however many images there are; the values {@code delta / 2} are kept (4 bytes a pixel per model) for
 * exact medians and percentiles.
 */
@Command(name = "dispersion", mixinStandardHelpOptions = true,
        header = "Local feature dispersion (COVER supplementary Eq. 3) of backbones' decoder features.",
        description = {"", "For every pixel i of level L's feature map, delta_i = max over j,k in N(i) of |cos(f_i,f_j) - cos(f_i,f_k)|, "
                + "N(i) = the (2r+1)^d box around i clipped to the image, i included (so delta_i = 1 - the smallest cosine "
                + "to a neighbour); zero vectors have cosine 0. Reports mean, median and 95th percentile of delta/2 (2 = the "
                + "range of the cosine) over all pixels of all images, one row per --model.", "",
                "Images are prepared as pre-training prepares them (8-bit / 255, others windowed to their 0.5-99.5 "
                        + "percentiles) and resized to --size on every axis; without --data the built-in phantoms are used.", ""})
public final class DispersionCommand implements Callable<Integer> {
    /** The model name that means "a randomly initialised U-Net". */
    static final String RANDOM = "none";
    /** Histogram bins over [0, 1] in the JSON and the figure. */
    static final int BINS = 50;
    /** Phantoms analysed when neither --data nor --max-images is given. */
    static final int DEFAULT_PHANTOMS = 8;
    /** From this many images on a progress line goes to standard error. */
    private static final int PROGRESS_FROM = 20;

    @Mixin
    Options common;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "CKPT|none", required = true,
            description = "Backbone to analyse (repeatable): a pre-training run folder, a checkpoint (.safetensors or .json), a "
                    + "fine-tuned model folder, a reference state dict (.npz/.safetensors), or 'none' for a randomly initialised "
                    + "U-Net (default channels), the one a COVER run with --seed starts from.")
    List<String> models = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR", description = "Folder of 2D images or 3D volumes (default: the built-in synthetic phantoms).")
    Path data;

    @Option(names = "--dim", paramLabel = "2|3", description = "2 for images, 3 for volumes (default: the checkpoints' dimensionality, else 2).")
    Integer dim;

    @Option(names = "--level", paramLabel = "L", defaultValue = "0", description = "Decoder level, 0 (finest, full resolution) to 4 (deepest encoder features) (default: ${DEFAULT-VALUE}).")
    int level;

    @Option(names = "--radius", paramLabel = "R", defaultValue = "1", description = "Neighbourhood radius: (2R+1)^d pixels around each pixel (default: ${DEFAULT-VALUE}).")
    int radius;

    @Option(names = "--size", paramLabel = "N", description = "Images are resized to N on every axis, a multiple of 16 (default: 128 in 2D, 64 in 3D).")
    Integer size;

    @Option(names = "--max-images", paramLabel = "N", description = "Analyse at most N images, evenly spaced over --data's sorted files "
            + "(default: all of --data, " + DEFAULT_PHANTOMS + " phantoms).")
    Integer maxImages;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the 'none' model's initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object per model and line instead of the table.")
    boolean json;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write DIR/dispersion.json and DIR/dispersion_histogram.png.")
    Path out;

    /** One backbone to analyse and what to call it. */
    record Backbone(String label, org.cover4j.nn.Backbone unet) {}

    /** The images analysed: image {@code i} prepared at {@code size} on every axis. */
    record Images(int count, IntFunction<float[]> prepared, String description) {}

    @Override
    public Integer call() {
        checkOptions();
        Torch.setThreads(common.threadsOrDefault());
        Device device = Devices.parse(common.device);
        List<StateDicts.StateDict> weights = new ArrayList<>();
        int dims = dims(weights);
        int n = size != null ? size : dims == 2 ? 128 : 64;
        Images images = images(dims, n);
        List<Backbone> backbones = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) backbones.add(backbone(models.get(m), weights.get(m), dims, device));

        List<List<float[]>> values = new ArrayList<>();
        for (int m = 0; m < backbones.size(); m++) values.add(new ArrayList<>());
        ProgressBar bar = images.count() >= PROGRESS_FROM
                ? new ProgressBar(System.err, "analyze dispersion", 1, images.count(), ProgressBar.terminal()) : null;
        int[] grid = null;
        for (int i = 0; i < images.count(); i++) {
            float[] image = images.prepared().apply(i);
            for (int m = 0; m < backbones.size(); m++) {
                FeatureMap f = features(backbones.get(m).unet(), image, dims, n, device);
                grid = f.spatial();
                values.get(m).add(normalised(NeighbourhoodDispersion.deltas(f.values(), f.channels(), f.spatial(), radius)));
            }
            if (bar != null) bar.update(i + 1, "");
        }

        List<DispersionReport.Row> rows = new ArrayList<>();
        for (int m = 0; m < backbones.size(); m++) {
            NeighbourhoodDispersion.Summary s = NeighbourhoodDispersion.Summary.of(concat(values.get(m)), BINS);
            values.set(m, null); // the values go as soon as they are summarised
            rows.add(new DispersionReport.Row(backbones.get(m).label(), backbones.get(m).unet().levelChannels()[level], s));
        }
        DispersionReport report = new DispersionReport(dims, level, radius, n, grid, images.count(), images.description(), rows);
        spec.commandLine().getOut().print(json ? report.jsonLines() : report.table());
        spec.commandLine().getOut().flush();
        if (out != null) report.write(out);
        return 0;
    }

    private void checkOptions() {
        if (level < 0 || level > 4) throw CoverException.usage("--level " + level + ": must be 0 (finest) to 4 (deepest)");
        if (radius < 1) throw CoverException.usage("--radius " + radius + ": must be at least 1");
        if (dim != null && dim != 2 && dim != 3) throw CoverException.usage("--dim " + dim + ": must be 2 or 3");
        if (size != null && (size < 16 || size % 16 != 0)) {
            throw CoverException.usage("--size " + size + ": must be a positive multiple of 16 (the U-Net halves it four times)");
        }
        if (maxImages != null && maxImages < 1) throw CoverException.usage("--max-images " + maxImages + ": must be at least 1");
    }

    /**
     * Reads every checkpoint's backbone tensors into {@code weights} (null for 'none') and returns the dimensionality
     * they all share; 'none' alone takes --dim, or 2.
     */
    private int dims(List<StateDicts.StateDict> weights) {
        Integer found = null;
        String foundAt = null;
        for (String m : models) {
            if (m.equals(RANDOM)) {
                weights.add(null);
                continue;
            }
            StateDicts.StateDict w = BackboneWeights.read(Path.of(m), "--model");
            weights.add(w);
            int d = BackboneWeights.architecture(w, w.file()).dims();
            if (found != null && d != found) {
                throw CoverException.usage("--model " + m + " is a " + d + "D backbone but --model " + foundAt + " is " + found + "D");
            }
            if (dim != null && d != dim) throw CoverException.usage("--model " + m + " is a " + d + "D backbone but --dim is " + dim);
            found = d;
            foundAt = m;
        }
        return found != null ? found : dim != null ? dim : 2;
    }

    /** --data's images (evenly spaced up to --max-images), or the built-in phantoms. */
    private Images images(int dims, int n) {
        if (data == null) {
            int count = maxImages != null ? maxImages : DEFAULT_PHANTOMS;
            long phantomSeed = Phantoms.BUILT_IN_SEED;
            return new Images(count, i -> dims == 2 ? Phantoms.image2d(phantomSeed, i, n).image() : Phantoms.volume3d(phantomSeed, i, n).image(),
                    count + " built-in " + dims + "D phantoms (seed " + phantomSeed + ")");
        }
        FileDataset files = ImageFolder.open(data);
        int total = files.size();
        int count = maxImages != null ? Math.min(maxImages, total) : total;
        // Evenly spaced over the sorted listing: a subset that covers the whole folder, the same for every seed.
        return new Images(count, i -> PretrainImages.prepare(files.entries().get((int) ((long) i * total / count)).image(), dims, n, n),
                count + " of " + total + " images in " + data);
    }

    private Backbone backbone(String model, StateDicts.StateDict w, int dims, Device device) {
        Params params = new Params(device);
        if (w == null) {
            org.cover4j.nn.Backbone unet = DownstreamNet.initialBackbone(params, BackboneSpec.unet(CoverConfig.DEFAULT_CHANNELS), dims, 1, null, new Rng(seed));
            return new Backbone(RANDOM + " (seed " + seed + ")", unet);
        }
        BackboneWeights.Arch arch = BackboneWeights.architecture(w, w.file());
        if (arch.inChannels() != 1) {
            throw CoverException.file(w.file(), "the backbone takes " + arch.inChannels() + " input channels; the analysis feeds single-channel images");
        }
        // The initial weights are overwritten at once: the seed does not matter here.
        org.cover4j.nn.Backbone unet = DownstreamNet.initialBackbone(params, BackboneSpec.unet(arch.channels()), arch.dims(), 1, null, new Rng(0));
        BackboneWeights.load(params, w, w.file(), "--model");
        return new Backbone(model, unet);
    }

    /** One image's feature map at --level: C-order {@code (C, *spatial)}. */
    record FeatureMap(float[] values, int channels, int[] spatial) {}

    private FeatureMap features(org.cover4j.nn.Backbone unet, float[] image, int dims, int n, Device device) {
        long[] shape = new long[dims + 2];
        Arrays.fill(shape, n);
        shape[0] = 1;
        shape[1] = 1;
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor level = unet.levels(Tensors.of(image, device, shape)).get(this.level);
            long[] ls = Tensors.shape(level);
            int[] spatial = new int[dims];
            for (int a = 0; a < dims; a++) spatial[a] = (int) ls[a + 2];
            return new FeatureMap(Tensors.toArray(level), (int) ls[1], spatial);
        }
    }

    private static float[] normalised(double[] deltas) {
        float[] v = new float[deltas.length];
        for (int i = 0; i < v.length; i++) v[i] = (float) (deltas[i] / NeighbourhoodDispersion.COSINE_RANGE);
        return v;
    }

    private static double[] concat(List<float[]> parts) {
        long total = 0;
        for (float[] p : parts) total += p.length;
        if (total > Integer.MAX_VALUE - 8) {
            throw CoverException.usage("analyze dispersion: " + total + " pixels are more than one array holds; lower --max-images");
        }
        double[] all = new double[(int) total];
        int at = 0;
        for (float[] p : parts) for (float v : p) all[at++] = v;
        return all;
    }
}
