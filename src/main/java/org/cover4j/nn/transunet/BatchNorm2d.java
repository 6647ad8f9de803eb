package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Init;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

/**
 * {@code nn.BatchNorm2d(C)} (eps 1e-5, momentum 0.1) of the decoder's {@code Conv2dReLU} blocks, in both modes:
 * training normalises with the batch's mean and biased variance and updates the running statistics in place (with
 * the unbiased variance) and {@code num_batches_tracked}; evaluation normalises with the running statistics. The five
 * state_dict entries in PyTorch's order; {@code num_batches_tracked} is a float32 buffer here (int64 in PyTorch).
 */
final class BatchNorm2d {
    static final double MOMENTUM = 0.1;
    static final double EPS = 1e-5;

    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor batchesTracked;

    BatchNorm2d(Params params, String name, int c) {
        weight = params.add(name + ".weight", Init.constant(c, 1f), c);
        bias = params.add(name + ".bias", Init.constant(c, 0f), c);
        runningMean = params.addBuffer(name + ".running_mean", Init.constant(c, 0f), c);
        runningVar = params.addBuffer(name + ".running_var", Init.constant(c, 1f), c);
        batchesTracked = params.addBuffer(name + ".num_batches_tracked", new float[1]);
    }

    Tensor apply(Tensor x, boolean training) {
        Tensor y = torch.batch_norm(x, new TensorOptional(weight), new TensorOptional(bias), new TensorOptional(runningMean),
                new TensorOptional(runningVar), training, MOMENTUM, EPS, true);
        if (training) {
            try (NoGradGuard g = new NoGradGuard()) {
                batchesTracked.add_(Ops.s(1));
            }
        }
        return y;
    }
}
