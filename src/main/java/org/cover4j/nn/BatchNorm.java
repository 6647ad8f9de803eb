package org.cover4j.nn;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;
import org.cover4j.util.CoverException;

/**
 * {@code nn.BatchNorm1d/2d(features, affine)} (eps 1e-5, momentum 0.1), one class for (N, C) vectors (the methods'
 * projection heads) and (N, C, H, W) maps (TransUNet's decoder, U-KAN). Training mode: each feature is normalised
 * with the batch's mean and biased variance, then scaled and shifted when affine; libtorch updates the running mean
 * and variance (the batch's unbiased variance) in place and {@code num_batches_tracked} counts the updates, as
 * PyTorch's module does (the functional batch_norm does not count). Evaluation mode normalises with the running
 * statistics. Tensors: {@code NAME.weight} (ones) and {@code NAME.bias} (zeros) when affine; buffers
 * {@code NAME.running_mean} (zeros), {@code NAME.running_var} (ones) and {@code NAME.num_batches_tracked} (a float32
 * scalar here; int64 in PyTorch).
 */
public final class BatchNorm {
    public static final double MOMENTUM = 0.1;
    public static final double EPS = 1e-5;

    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;

    public BatchNorm(Params params, String name, int features, boolean affine) {
        this.weight = affine ? params.add(name + ".weight", Init.constant(features, 1f), features) : null;
        this.bias = affine ? params.add(name + ".bias", Init.constant(features, 0f), features) : null;
        this.runningMean = params.addBuffer(name + ".running_mean", Init.constant(features, 0f), features);
        this.runningVar = params.addBuffer(name + ".running_var", Init.constant(features, 1f), features);
        this.batchesTracked = params.addBuffer(name + ".num_batches_tracked", new float[1]);
    }

    /** Normalises in training mode ({@link #apply(Tensor)}) or with the running statistics (evaluation). */
    public Tensor apply(Tensor x, boolean training) {
        if (training) return apply(x);
        return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                new TensorOptional(runningVar), false, MOMENTUM, EPS, false);
    }

    /**
     * Normalises a batch in training mode; (N, C) features need N ≥ 2 (a single sample has no variance: PyTorch refuses it too, and so
     * does this, as a usage error since the batch size is the user's choice).
     */
    public Tensor apply(Tensor x) {
        if (x.dim() == 2 && x.size(0) < 2) {
            throw CoverException.usage("batch norm needs at least 2 samples per batch, got " + x.size(0) + " (raise --batch)");
        }
        Tensor y = Ops.batchNormTraining(x, weight, bias, runningMean, runningVar, MOMENTUM, EPS);
        try (NoGradGuard g = new NoGradGuard()) {
            batchesTracked.add_(Ops.s(1));
        }
        return y;
    }
}
