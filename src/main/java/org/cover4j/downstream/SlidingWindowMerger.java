package org.cover4j.downstream;

import java.util.Arrays;

import org.cover4j.util.CoverException;

/**
 * Accumulates weighted patch predictions into a {@code (channels, shape...)} buffer and divides by the
 * summed weights at the end (a Gaussian-weighted average of every prediction that covers a voxel). Made by
 * {@link SlidingWindow#merger(int, int[])}. Accumulates in float32 like MONAI, so a large 3D multi-class
 * output needs {@code 4 (channels + 1)} bytes per voxel.
 */
public final class SlidingWindowMerger {
    private final int channels;
    private final int[] shape;
    private final int[] patch;
    private final float[] weights;
    private final int patchVoxels;
    private final int imageVoxels;
    private final float[] sum;
    private final float[] weightSum;
    private boolean done;

    SlidingWindowMerger(int channels, int[] shape, int[] patch, float[] weights) {
        if (channels < 1) throw new CoverException("sliding window: output channels must be at least 1, got " + channels);
        long n = 1;
        for (int s : shape) n *= s;
        if (n * channels > Integer.MAX_VALUE - 8) {
            throw new CoverException("sliding window: output " + channels + " x " + Arrays.toString(shape)
                    + " has more than 2^31 values; predict fewer channels or crop the image");
        }
        this.channels = channels;
        this.shape = shape.clone();
        this.patch = patch.clone();
        this.weights = weights;
        this.patchVoxels = weights.length;
        this.imageVoxels = (int) n;
        this.sum = new float[(int) (n * channels)];
        this.weightSum = new float[(int) n];
    }

    /**
     * Adds one patch prediction {@code (channels, patch...)} stored in {@code values} from {@code offset},
     * placed with its corner at {@code start} (may be negative; the part outside the image is dropped).
     */
    public void add(float[] values, int offset, int[] start) {
        if (done) throw new IllegalStateException("merger already produced its result");
        if (start.length != shape.length) throw new IllegalArgumentException("start " + Arrays.toString(start) + " for shape " + Arrays.toString(shape));
        if (offset < 0 || offset + (long) channels * patchVoxels > values.length) {
            throw new CoverException("sliding window: patch prediction at offset " + offset + " needs " + channels * patchVoxels
                    + " values, array has " + values.length);
        }
        SlidingWindowRows rows = new SlidingWindowRows(patch, shape, start);
        int len = rows.length();
        for (int r = 0; r < rows.count(); r++) {
            int img = rows.imageIndex(r);
            if (img < 0) continue;
            int p = rows.patchIndex(r);
            for (int t = 0; t < len; t++) weightSum[img + t] += weights[p + t];
            for (int c = 0; c < channels; c++) {
                int dst = c * imageVoxels + img;
                int src = offset + c * patchVoxels + p;
                for (int t = 0; t < len; t++) sum[dst + t] += weights[p + t] * values[src + t];
            }
        }
    }

    /**
     * The blended {@code (channels, shape...)} output (normalised in place; the merger is finished after
     * this call). A voxel no patch covered is NaN, which {@link SlidingWindow#positions(int[])} never leaves.
     */
    public float[] result() {
        if (!done) {
            for (int c = 0; c < channels; c++) {
                int base = c * imageVoxels;
                for (int i = 0; i < imageVoxels; i++) sum[base + i] = weightSum[i] > 0 ? sum[base + i] / weightSum[i] : Float.NaN;
            }
            done = true;
        }
        return sum;
    }
}
