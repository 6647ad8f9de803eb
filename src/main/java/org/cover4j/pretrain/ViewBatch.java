package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.ViewPair;
import org.cover4j.torch.Tensors;

import java.util.Arrays;
import java.util.List;

/**
 * A batch of view pairs as tensors on the training device: moving {@code (B, C, *S)}, fixed {@code (B, C, *S)},
 * ground-truth flow {@code (B, nd, *S)} and correspondence mask {@code (B, 1, *S)}. Built inside a step scope.
 */
public record ViewBatch(Tensor moving, Tensor fixed, Tensor flow, Tensor mask, double maskSum) {

    /** Stacks per-sample pairs (all of the same shape) into batch tensors on {@code device}. */
    public static ViewBatch of(List<ViewPair> pairs, Device device) {
        ViewPair first = pairs.get(0);
        int[] spatial = first.spatial();
        int nd = spatial.length;
        int c = first.channels();
        int b = pairs.size();
        int voxels = 1;
        for (int s : spatial) voxels *= s;
        float[] mov = new float[b * c * voxels];
        float[] fix = new float[b * c * voxels];
        float[] flow = new float[b * nd * voxels];
        float[] mask = new float[b * voxels];
        double maskSum = 0;
        for (int i = 0; i < b; i++) {
            ViewPair p = pairs.get(i);
            if (!Arrays.equals(p.spatial(), spatial) || p.channels() != c) {
                throw new IllegalArgumentException("view pairs of different shapes in one batch");
            }
            System.arraycopy(p.moving(), 0, mov, i * c * voxels, c * voxels);
            System.arraycopy(p.fixed(), 0, fix, i * c * voxels, c * voxels);
            System.arraycopy(p.flow(), 0, flow, i * nd * voxels, nd * voxels);
            System.arraycopy(p.mask(), 0, mask, i * voxels, voxels);
            for (float m : p.mask()) maskSum += m;
        }
        return new ViewBatch(
                Tensors.of(mov, device, shape(b, c, spatial)),
                Tensors.of(fix, device, shape(b, c, spatial)),
                Tensors.of(flow, device, shape(b, nd, spatial)),
                Tensors.of(mask, device, shape(b, 1, spatial)),
                maskSum);
    }

    /** Why this batch cannot train, or null: every method on view pairs needs a pixel with a correspondence. */
    public String problem() {
        return maskSum == 0 ? "no pixel of the moving view corresponds to the fixed view (empty mask)" : null;
    }

    private static long[] shape(int b, int c, int[] spatial) {
        long[] s = new long[2 + spatial.length];
        s[0] = b;
        s[1] = c;
        for (int i = 0; i < spatial.length; i++) s[2 + i] = spatial[i];
        return s;
    }
}
