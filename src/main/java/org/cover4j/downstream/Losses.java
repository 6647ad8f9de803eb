package org.cover4j.downstream;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Ops;

/**
 * Downstream losses (pure functions of tensors). Targets come as one-hot float tensors shaped like the logits,
 * built on the Java side, which keeps integer tensors out of the engine layer.
 */
public final class Losses {
    /** Smoothing of the soft Dice (MONAI's {@code smooth_nr = smooth_dr = 1e-5}). */
    static final double DICE_SMOOTH = 1e-5;

    private Losses() {}

    /** Losses of one segmentation step: their sum is what is optimised. */
    public record Seg(Tensor total, Tensor crossEntropy, Tensor diceLoss) {}

    /**
     * Cross-entropy (mean over voxels) plus soft Dice loss {@code 1 - mean_c Dice_c} over the foreground classes
     * {@code c = 1..K-1}, from softmax probabilities. Dice sums over the batch and the voxels together ("batch
     * Dice", as nnU-Net), so a class absent from one patch does not push that patch towards predicting nothing.
     *
     * @param logits (B, K, *S)
     * @param oneHot (B, K, *S) one-hot targets
     */
    public static Seg diceCrossEntropy(Tensor logits, Tensor oneHot) {
        Tensor logp = torch.log_softmax(logits, 1);
        Tensor ce = oneHot.mul(logp).sum(new long[] {1}, false, new ScalarTypeOptional()).mean().neg();
        Tensor p = logp.exp();
        long[] reduce = new long[(int) logits.dim() - 1];
        reduce[0] = 0;
        for (int i = 1; i < reduce.length; i++) reduce[i] = i + 1;
        Tensor inter = p.mul(oneHot).sum(reduce, false, new ScalarTypeOptional());
        Tensor denom = p.sum(reduce, false, new ScalarTypeOptional()).add(oneHot.sum(reduce, false, new ScalarTypeOptional()));
        Tensor dice = inter.mul(Ops.s(2.0)).add(Ops.s(DICE_SMOOTH)).div(denom.add(Ops.s(DICE_SMOOTH)));
        long k = logits.size(1);
        Tensor diceLoss = dice.narrow(0, 1, k - 1).mean().neg().add(Ops.s(1.0));
        return new Seg(ce.add(diceLoss), ce, diceLoss);
    }

    /**
     * Cross-entropy of (B, K) logits against one-hot targets with per-sample weights (the class weight of each
     * sample's class): {@code sum_i w_i·nll_i / sum_i w_i}, which is PyTorch's {@code cross_entropy(weight=...)}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor oneHot, Tensor sampleWeights) {
        Tensor nll = oneHot.mul(torch.log_softmax(logits, 1)).sum(new long[] {1}, false, new ScalarTypeOptional()).neg();
        return nll.mul(sampleWeights).sum().div(sampleWeights.sum());
    }
}
