package org.cover4j.downstream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.cover4j.util.CoverException;

/**
 * Sliding-window inference for images larger (or smaller) than the network's patch, in 2D or 3D: a splitter
 * that lists patch positions and cuts patches, a {@link SlidingWindowMerger} that blends overlapping
 * predictions with a Gaussian importance map, and {@link #infer} that runs both around any patch predictor
 * (a torch model, a test double). Pure Java: the predictor may run on a GPU while stitching stays on the CPU.
 *
 * <p>Conventions follow MONAI's {@code sliding_window_inference}: along each axis the step is
 * {@code floor(patch * (1 - overlap))} (at least 1) and the last patch is flush with the image end; an axis
 * shorter than the patch gets one patch centred on it, the part outside the image read as zeros (MONAI pads
 * {@code diff // 2} before, the rest after). The Gaussian map is {@code exp(-x^2 / (2 sigma^2))} per axis
 * with {@code x} measured from the patch centre {@code (n - 1) / 2} and {@code sigma = sigmaScale * n},
 * clamped below at 1e-3 so every voxel keeps a positive weight.
 *
 * <p>Arrays are C-order: images {@code (channels, shape...)}, patches {@code (channels, patch...)}.
 */
public final class SlidingWindow {
    /** Smallest weight of the importance map (MONAI's floor), so the normaliser never vanishes. */
    static final float MIN_WEIGHT = 1e-3f;

    /**
     * Predicts a batch of patches: input {@code (batch, inChannels, patch...)}, output
     * {@code (batch, outChannels, patch...)}, both C-order. The input array holds exactly {@code batch}
     * patches and may be reused between calls, so copy it if you keep it.
     */
    @FunctionalInterface
    public interface PatchPredictor {
        float[] predict(float[] batchPatches, int batch);
    }

    private final int[] patch;
    private final double overlap;
    private final double sigmaScale;
    private final int patchVoxels;
    private float[] weights;

    /**
     * @param patchSize  patch extent per spatial axis (2 or 3 axes)
     * @param overlap    fraction of a patch shared with its neighbour, in {@code [0, 1)}
     * @param sigmaScale Gaussian sigma as a fraction of the patch size (0.125 as MONAI and nnU-Net);
     *                   0 gives uniform weights (plain averaging)
     */
    public SlidingWindow(int[] patchSize, double overlap, double sigmaScale) {
        if (patchSize == null || patchSize.length < 2 || patchSize.length > 3) {
            throw CoverException.usage("sliding window: patch size must have 2 or 3 axes, got " + Arrays.toString(patchSize));
        }
        long n = 1;
        for (int p : patchSize) {
            if (p <= 0) throw CoverException.usage("sliding window: patch size must be positive, got " + Arrays.toString(patchSize));
            n *= p;
        }
        if (n > Integer.MAX_VALUE / 16) throw CoverException.usage("sliding window: patch " + Arrays.toString(patchSize) + " is too large");
        if (!(overlap >= 0 && overlap < 1)) throw CoverException.usage("sliding window: overlap must be in [0, 1), got " + overlap);
        if (!(sigmaScale >= 0) || Double.isInfinite(sigmaScale)) {
            throw CoverException.usage("sliding window: sigma scale must be >= 0, got " + sigmaScale);
        }
        this.patch = patchSize.clone();
        this.overlap = overlap;
        this.sigmaScale = sigmaScale;
        this.patchVoxels = (int) n;
    }

    public int[] patchSize() {
        return patch.clone();
    }

    public int patchVoxels() {
        return patchVoxels;
    }

    /**
     * Start corners of the patches that cover an image of {@code imageShape}, in C order (last axis
     * fastest). A start is negative on an axis shorter than the patch (the patch is centred there).
     */
    public List<int[]> positions(int[] imageShape) {
        checkShape(imageShape);
        int d = patch.length;
        int[][] starts = new int[d][];
        for (int a = 0; a < d; a++) starts[a] = axisStarts(imageShape[a], patch[a]);
        List<int[]> out = new ArrayList<>();
        int[] idx = new int[d];
        while (true) {
            int[] p = new int[d];
            for (int a = 0; a < d; a++) p[a] = starts[a][idx[a]];
            out.add(p);
            int a = d - 1;
            while (a >= 0 && ++idx[a] == starts[a].length) idx[a--] = 0;
            if (a < 0) return out;
        }
    }

    private int[] axisStarts(int size, int p) {
        if (size <= p) return new int[] {-((p - size) / 2)};
        int step = Math.max(1, (int) (p * (1 - overlap)));
        int count = (size - p + step - 1) / step + 1;
        int[] s = new int[count];
        for (int i = 0; i < count; i++) s[i] = Math.min(i * step, size - p);
        // With count = ceil(...) + 1 only the last start is clamped, so no start repeats.
        return s;
    }

    /** The importance map over the patch (C-order, {@link #patchVoxels()} values, peak 1); a copy. */
    public float[] gaussianWeights() {
        return weights().clone();
    }

    float[] weights() {
        if (weights == null) {
            float[] w = new float[patchVoxels];
            Arrays.fill(w, 1f);
            if (sigmaScale > 0) {
                int stride = patchVoxels;
                for (int a = 0; a < patch.length; a++) {
                    int n = patch[a];
                    stride /= n;
                    double sigma = sigmaScale * n;
                    double[] g = new double[n];
                    for (int i = 0; i < n; i++) {
                        double x = i - (n - 1) / 2.0;
                        g[i] = Math.exp(-x * x / (2 * sigma * sigma));
                    }
                    for (int v = 0; v < patchVoxels; v++) w[v] *= (float) g[(v / stride) % n];
                }
                for (int v = 0; v < patchVoxels; v++) w[v] = Math.max(w[v], MIN_WEIGHT);
            }
            weights = w;
        }
        return weights;
    }

    /**
     * Copies the patch at {@code start} of {@code image} {@code (channels, shape...)} into {@code dst} at
     * {@code dstOffset} as {@code (channels, patch...)}; voxels outside the image become 0.
     */
    public void extract(float[] image, int channels, int[] shape, int[] start, float[] dst, int dstOffset) {
        checkImage(image, channels, shape);
        SlidingWindowRows rows = new SlidingWindowRows(patch, shape, start);
        int imageVoxels = image.length / channels;
        for (int c = 0; c < channels; c++) {
            int src0 = c * imageVoxels;
            int dst0 = dstOffset + c * patchVoxels;
            Arrays.fill(dst, dst0, dst0 + patchVoxels, 0f);
            for (int r = 0; r < rows.count(); r++) {
                int src = rows.imageIndex(r);
                if (src < 0) continue;
                System.arraycopy(image, src0 + src, dst, dst0 + rows.patchIndex(r), rows.length());
            }
        }
    }

    /** A merger for an output of {@code outChannels} over an image of {@code imageShape}. */
    public SlidingWindowMerger merger(int outChannels, int[] imageShape) {
        checkShape(imageShape);
        return new SlidingWindowMerger(outChannels, imageShape, patch, weights());
    }

    /** {@link #infer(float[], int, int[], int, PatchPredictor, int)} one patch at a time. */
    public float[] infer(float[] image, int channels, int[] shape, int outChannels, PatchPredictor predictor) {
        return infer(image, channels, shape, outChannels, predictor, 1);
    }

    /**
     * Runs {@code predictor} over all patches of {@code image} {@code (channels, shape...)}, {@code batchSize}
     * patches per call, and returns the blended {@code (outChannels, shape...)} result.
     */
    public float[] infer(float[] image, int channels, int[] shape, int outChannels, PatchPredictor predictor, int batchSize) {
        checkImage(image, channels, shape);
        if (batchSize < 1) throw CoverException.usage("sliding window: batch size must be at least 1, got " + batchSize);
        List<int[]> pos = positions(shape);
        SlidingWindowMerger merger = merger(outChannels, shape);
        int inLen = channels * patchVoxels;
        int outLen = outChannels * patchVoxels;
        float[] full = new float[Math.min(batchSize, pos.size()) * inLen];
        for (int first = 0; first < pos.size(); first += batchSize) {
            int b = Math.min(batchSize, pos.size() - first);
            // The predictor always gets an array of exactly b patches (a short last batch gets its own).
            float[] batch = b * inLen == full.length ? full : new float[b * inLen];
            for (int k = 0; k < b; k++) extract(image, channels, shape, pos.get(first + k), batch, k * inLen);
            float[] pred = predictor.predict(batch, b);
            if (pred == null || pred.length != b * outLen) {
                throw new CoverException("sliding window: predictor returned " + (pred == null ? "null" : pred.length + " values")
                        + " for " + b + " patches of " + outChannels + " x " + Arrays.toString(patch) + " (expected " + b * outLen + ")");
            }
            for (int k = 0; k < b; k++) merger.add(pred, k * outLen, pos.get(first + k));
        }
        return merger.result();
    }

    private void checkShape(int[] shape) {
        if (shape == null || shape.length != patch.length) {
            throw new CoverException("sliding window: image shape " + Arrays.toString(shape) + " does not have the "
                    + patch.length + " axes of patch " + Arrays.toString(patch));
        }
        for (int s : shape) {
            if (s <= 0) throw new CoverException("sliding window: non-positive image dimension in " + Arrays.toString(shape));
        }
    }

    private void checkImage(float[] image, int channels, int[] shape) {
        checkShape(shape);
        if (channels < 1) throw new CoverException("sliding window: channels must be at least 1, got " + channels);
        long n = channels;
        for (int s : shape) n *= s;
        if (n != image.length) {
            throw new CoverException("sliding window: image has " + image.length + " values, " + channels + " x "
                    + Arrays.toString(shape) + " needs " + n);
        }
    }
}
