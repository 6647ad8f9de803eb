package org.cover4j.downstream;

import org.cover4j.util.Rng;

import java.util.Arrays;
import java.util.List;

/**
 * Random training patches for segmentation, 2D or 3D. Each patch comes from a uniformly drawn case; with
 * probability {@code foregroundOversample} it is centred on a uniformly drawn foreground voxel (label &gt; 0),
 * otherwise placed uniformly inside the image (nnU-Net's scheme, which keeps small structures in view). Where
 * the image is smaller than the patch, the patch is centred on that axis and the outside reads as zeros
 * (image) and background (labels), as in sliding-window inference.
 *
 * <p>The patches of step {@code t} depend only on (seed, t), so a resumed run draws the same patches.
 */
public final class PatchSampler {
    private final List<Case> cases;
    private final int[] patch;
    private final double foregroundOversample;
    private final int[][] foreground;
    private final int channels;

    public PatchSampler(List<Case> cases, int[] patch, double foregroundOversample) {
        this.cases = cases;
        this.patch = patch.clone();
        this.foregroundOversample = foregroundOversample;
        this.foreground = new int[cases.size()][];
        for (int i = 0; i < cases.size(); i++) {
            int[] lab = cases.get(i).labels();
            int n = 0;
            for (int v : lab) if (v > 0) n++;
            int[] idx = new int[n];
            for (int v = 0, j = 0; v < lab.length; v++) if (lab[v] > 0) idx[j++] = v;
            foreground[i] = idx;
        }
        this.channels = cases.get(0).image().length / cases.get(0).voxels();
    }

    /** A batch: inputs {@code (B, C, patch...)} and labels {@code (B, patch...)}, both C-order. */
    public record Batch(float[] images, int[] labels, int size) {}

    public int patchVoxels() {
        int n = 1;
        for (int p : patch) n *= p;
        return n;
    }

    /** The batch of {@code batchSize} patches drawn with {@code rng}. */
    public Batch sample(int batchSize, Rng rng) {
        int pv = patchVoxels();
        float[] x = new float[batchSize * channels * pv];
        int[] y = new int[batchSize * pv];
        for (int b = 0; b < batchSize; b++) {
            int ci = rng.randint(0, cases.size());
            Case c = cases.get(ci);
            boolean fg = rng.nextDouble() < foregroundOversample && foreground[ci].length > 0;
            int[] start = fg ? centredOn(c.shape(), foreground[ci][rng.randint(0, foreground[ci].length)]) : uniform(c.shape(), rng);
            copy(c, start, x, b * channels * pv, y, b * pv);
        }
        return new Batch(x, y, batchSize);
    }

    private int[] centredOn(int[] shape, int voxel) {
        int[] coord = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            coord[a] = voxel % shape[a];
            voxel /= shape[a];
        }
        int[] start = new int[shape.length];
        for (int a = 0; a < shape.length; a++) {
            start[a] = shape[a] <= patch[a] ? -((patch[a] - shape[a]) / 2)
                    : Math.max(0, Math.min(shape[a] - patch[a], coord[a] - patch[a] / 2));
        }
        return start;
    }

    private int[] uniform(int[] shape, Rng rng) {
        int[] start = new int[shape.length];
        for (int a = 0; a < shape.length; a++) {
            start[a] = shape[a] <= patch[a] ? -((patch[a] - shape[a]) / 2) : rng.randint(0, shape[a] - patch[a] + 1);
        }
        return start;
    }

    /** Copies the patch at {@code start} (zeros / background outside the image). */
    private void copy(Case c, int[] start, float[] x, int xOff, int[] y, int yOff) {
        int[] s = c.shape();
        int d = s.length;
        int[] s3 = d == 3 ? s : new int[] {1, s[0], s[1]};
        int[] p3 = d == 3 ? patch : new int[] {1, patch[0], patch[1]};
        int[] o3 = d == 3 ? start : new int[] {0, start[0], start[1]};
        int pv = patchVoxels();
        int iv = c.voxels();
        Arrays.fill(x, xOff, xOff + channels * pv, 0f);
        Arrays.fill(y, yOff, yOff + pv, 0);
        for (int i = 0; i < p3[0]; i++) {
            int si = o3[0] + i;
            if (si < 0 || si >= s3[0]) continue;
            for (int j = 0; j < p3[1]; j++) {
                int sj = o3[1] + j;
                if (sj < 0 || sj >= s3[1]) continue;
                int k0 = Math.max(0, -o3[2]);
                int k1 = Math.min(p3[2], s3[2] - o3[2]);
                if (k1 <= k0) continue;
                int src = (si * s3[1] + sj) * s3[2] + o3[2] + k0;
                int dst = (i * p3[1] + j) * p3[2] + k0;
                System.arraycopy(c.labels(), src, y, yOff + dst, k1 - k0);
                for (int ch = 0; ch < channels; ch++) {
                    System.arraycopy(c.image(), ch * iv + src, x, xOff + ch * pv + dst, k1 - k0);
                }
            }
        }
    }
}
