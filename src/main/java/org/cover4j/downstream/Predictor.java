package org.cover4j.downstream;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Ops;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Tensors;

import java.util.List;

/**
 * Inference with a {@link DownstreamNet}: segmentation by Gaussian-weighted sliding windows (overlap 0.5,
 * sigma 1/8 of the patch, as MONAI and nnU-Net) over images of any size, classification on the resized image.
 * Every forward pass runs in its own step scope without autograd; results are plain Java arrays.
 */
public final class Predictor {
    public static final double OVERLAP = 0.5;
    public static final double SIGMA_SCALE = 0.125;

    private final DownstreamNet net;
    private final Device device;
    private final int batch;
    private final SlidingWindow window;

    public Predictor(DownstreamNet net, Device device, int batch) {
        this.net = net;
        this.device = device;
        this.batch = Math.max(1, batch);
        this.window = new SlidingWindow(net.spec().patch(), OVERLAP, SIGMA_SCALE);
    }

    /** Softmax probabilities {@code (K, shape...)} of a case, blended over sliding windows. */
    public float[] segmentationProbabilities(Case c) {
        int k = net.spec().numClasses();
        int channels = c.image().length / c.voxels();
        long[] shape = new long[2 + c.shape().length];
        int[] p = net.spec().patch();
        shape[1] = channels;
        for (int a = 0; a < p.length; a++) shape[2 + a] = p[a];
        return window.infer(c.image(), channels, c.shape(), k, (patches, b) -> {
            shape[0] = b;
            return probabilities(patches, shape);
        }, batch);
    }

    /** Class probabilities of each case (inputs already at the model's size), in batches. */
    public double[][] classProbabilities(List<Case> cases) {
        int k = net.spec().numClasses();
        double[][] out = new double[cases.size()][];
        int[] p = net.spec().patch();
        for (int first = 0; first < cases.size(); first += batch) {
            int b = Math.min(batch, cases.size() - first);
            int len = cases.get(first).image().length;
            float[] x = new float[b * len];
            for (int i = 0; i < b; i++) System.arraycopy(cases.get(first + i).image(), 0, x, i * len, len);
            long[] shape = new long[2 + p.length];
            shape[0] = b;
            shape[1] = len / cases.get(first).voxels();
            for (int a = 0; a < p.length; a++) shape[2 + a] = p[a];
            float[] probs = probabilities(x, shape);
            for (int i = 0; i < b; i++) {
                double[] row = new double[k];
                for (int c = 0; c < k; c++) row[c] = probs[i * k + c];
                out[first + i] = row;
            }
        }
        return out;
    }

    private float[] probabilities(float[] x, long[] shape) {
        try (StepScope s = StepScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor in = Tensors.of(x, device, shape);
            return Tensors.toArray(Ops.softmax(net.forward(in, false), 1));
        }
    }

    /** Arg-max over the class axis of {@code (K, voxels)} probabilities (first maximum wins). */
    public static int[] argmax(float[] probs, int numClasses) {
        int n = probs.length / numClasses;
        int[] out = new int[n];
        for (int v = 0; v < n; v++) {
            int best = 0;
            float bv = probs[v];
            for (int c = 1; c < numClasses; c++) {
                float q = probs[c * n + v];
                if (q > bv) {
                    bv = q;
                    best = c;
                }
            }
            out[v] = best;
        }
        return out;
    }
}
