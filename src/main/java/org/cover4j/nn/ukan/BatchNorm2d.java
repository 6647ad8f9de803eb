package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

/**
 * {@code nn.BatchNorm2d(C)} (eps 1e-5, momentum 0.1) in both modes. Training: the batch's mean and biased variance
 * normalise, libtorch updates the running mean and (unbiased) variance in place, and {@code num_batches_tracked} counts
 * the update, as PyTorch's module does (the functional batch_norm does not count). Evaluation: the running statistics
 * normalise. Tensors: {@code NAME.weight} (1), {@code NAME.bias} (0), buffers {@code NAME.running_mean} (0),
 * {@code NAME.running_var} (1), {@code NAME.num_batches_tracked} (a float32 scalar; int64 in PyTorch).
 */
final class BatchNorm2d {
    static final double MOMENTUM = 0.1;
    static final double EPS = 1e-5;

    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;

    BatchNorm2d(Params params, String name, int channels) {
        weight = params.add(name + ".weight", Init.constant(channels, 1f), channels);
        bias = params.add(name + ".bias", Init.constant(channels, 0f), channels);
        runningMean = params.addBuffer(name + ".running_mean", Init.constant(channels, 0f), channels);
        runningVar = params.addBuffer(name + ".running_var", Init.constant(channels, 1f), channels);
        batchesTracked = params.addBuffer(name + ".num_batches_tracked", new float[1]);
    }

    Tensor apply(Tensor x, boolean training) {
        if (!training) {
            return torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                    new TensorOptional(runningVar), false, MOMENTUM, EPS, false);
        }
        Tensor y = Ops.batchNormTraining(x, weight, bias, runningMean, runningVar, MOMENTUM, EPS);
        try (NoGradGuard g = new NoGradGuard()) {
            batchesTracked.add_(Ops.s(1));
        }
        return y;
    }
}
