package org.cover4j.pretrain.pixcl;

import org.cover4j.augment.ViewPair;
import org.cover4j.util.Rng;

/**
 * Which pixels each level's loss looks at, drawn in Java from the sample's own generator (never from libtorch's, so
 * that a sample depends on the seed and its position alone and resuming stays exact).
 *
 * <p>A pixel of level {@code l} (a block of {@code 2^l} pixels per axis of the full grid) may be an anchor or a negative
 * only when every full-resolution pixel of its block has a correspondence in the moving view (the mask is 1 on the
 * whole block: an area downsampling that requires full correspondence). A nearest downsampling would also keep
 * coarse pixels whose block reaches outside the moving view, whose warped features are partly zero padding.
 */
public final class PixelDraws {
    /** The sub-stream of a sample's generator the draws come from (its view pair takes the generator itself). */
    static final long STREAM = 1;

    private PixelDraws() {}

    /**
     * The sample for {@code pair}: per level, up to {@code count} anchors and, independently, up to {@code count}
     * negatives among the level's pixels with full correspondence (without repetition). A level with fewer than two
     * such pixels gets no anchor: its only pixel would have nothing to be contrasted with.
     */
    public static PixclSample draw(ViewPair pair, int levels, int count, Rng rng) {
        Rng draws = rng.derive(STREAM);
        int[][] anchors = new int[levels][];
        int[][] negatives = new int[levels][];
        int[] shape = pair.spatial().clone();
        boolean[] valid = new boolean[pair.positions()];
        for (int q = 0; q < valid.length; q++) valid[q] = pair.mask()[q] == 1f;
        for (int level = 0; level < levels; level++) {
            if (level > 0) {
                valid = halve(valid, shape);
                for (int d = 0; d < shape.length; d++) shape[d] /= 2;
            }
            int[] pixels = indicesOf(valid);
            boolean contrastable = pixels.length >= 2;
            anchors[level] = contrastable ? pick(pixels, count, draws) : new int[0];
            negatives[level] = contrastable ? pick(pixels, count, draws) : new int[0];
        }
        return new PixclSample(pair, anchors, negatives);
    }

    /**
     * The grid {@code shape} coarsened by 2 on every axis: a coarse pixel is valid when all {@code 2^nd} pixels of
     * its block are (applied {@code l} times, this asks it of the whole {@code 2^l} block).
     */
    static boolean[] halve(boolean[] fine, int[] shape) {
        int nd = shape.length;
        int[] coarse = new int[nd];
        int[] stride = new int[nd];
        int positions = 1;
        for (int d = nd - 1, s = 1; d >= 0; d--) {
            coarse[d] = shape[d] / 2;
            positions *= coarse[d];
            stride[d] = s;
            s *= shape[d];
        }
        boolean[] out = new boolean[positions];
        for (int q = 0; q < out.length; q++) {
            int base = 0;
            for (int d = nd - 1, rest = q; d >= 0; d--) {
                base += 2 * (rest % coarse[d]) * stride[d];
                rest /= coarse[d];
            }
            boolean all = true;
            for (int corner = 0; corner < (1 << nd) && all; corner++) {
                int offset = 0;
                for (int d = 0; d < nd; d++) if ((corner >> d & 1) != 0) offset += stride[d];
                all = fine[base + offset];
            }
            out[q] = all;
        }
        return out;
    }

    private static int[] indicesOf(boolean[] valid) {
        int n = 0;
        for (boolean v : valid) if (v) n++;
        int[] out = new int[n];
        for (int q = 0, i = 0; q < valid.length; q++) if (valid[q]) out[i++] = q;
        return out;
    }

    /** {@code min(count, pixels.length)} distinct entries of {@code pixels}: a partial Fisher–Yates shuffle of a copy. */
    static int[] pick(int[] pixels, int count, Rng rng) {
        int[] a = pixels.clone();
        int k = Math.min(count, a.length);
        for (int i = 0; i < k; i++) {
            int j = rng.randint(i, a.length);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return java.util.Arrays.copyOf(a, k);
    }
}
