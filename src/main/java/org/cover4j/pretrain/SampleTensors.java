package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Tensors;

import java.util.Arrays;
import java.util.List;

/** Per-sample images of one shape stacked into a batch tensor, for methods whose samples are plain images. */
public final class SampleTensors {
    private SampleTensors() {}

    /**
     * The images (each one channel, C-order over {@code spatial}) as a {@code (B, 1, *spatial)} tensor on
     * {@code device}; inside a step scope.
     */
    public static Tensor images(List<float[]> images, int[] spatial, Device device) {
        int voxels = 1;
        for (int s : spatial) voxels *= s;
        float[] all = new float[images.size() * voxels];
        for (int i = 0; i < images.size(); i++) {
            float[] image = images.get(i);
            if (image.length != voxels) {
                throw new IllegalArgumentException("sample " + i + " has " + image.length + " values, expected " + Arrays.toString(spatial));
            }
            System.arraycopy(image, 0, all, i * voxels, voxels);
        }
        long[] shape = new long[2 + spatial.length];
        shape[0] = images.size();
        shape[1] = 1;
        for (int d = 0; d < spatial.length; d++) shape[2 + d] = spatial[d];
        return Tensors.of(all, device, shape);
    }

    /** The spatial shape {@code size^dims}. */
    public static int[] cube(int dims, int size) {
        int[] s = new int[dims];
        Arrays.fill(s, size);
        return s;
    }
}
