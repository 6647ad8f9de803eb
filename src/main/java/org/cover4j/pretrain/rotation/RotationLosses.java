package org.cover4j.pretrain.rotation;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.torch.Tensors;

/** The rotation classifier's loss and accuracy (pure functions). */
final class RotationLosses {
    private RotationLosses() {}

    /**
     * Cross-entropy of (B, K) logits against the labels, mean over the batch ({@code nn.CrossEntropyLoss()}): the
     * labels come as a one-hot float tensor built on the Java side, which keeps integer tensors out of the engine.
     */
    static Tensor crossEntropy(Tensor logits, int[] labels) {
        long classes = logits.size(1);
        float[] oneHot = new float[labels.length * (int) classes];
        for (int i = 0; i < labels.length; i++) oneHot[i * (int) classes + labels[i]] = 1f;
        Tensor target = Tensors.of(oneHot, logits.device(), labels.length, classes);
        return target.mul(torch.log_softmax(logits, 1)).sum(new long[] {1}, false, new ScalarTypeOptional()).mean().neg();
    }

    /** The share of samples whose largest logit is their label's (the first of equal largest ones, as argmax). */
    static double accuracy(Tensor logits, int[] labels) {
        float[] v = Tensors.toArray(logits);
        int classes = v.length / labels.length;
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            int best = 0;
            for (int k = 1; k < classes; k++) if (v[i * classes + k] > v[i * classes + best]) best = k;
            if (best == labels[i]) right++;
        }
        return (double) right / labels.length;
    }
}
