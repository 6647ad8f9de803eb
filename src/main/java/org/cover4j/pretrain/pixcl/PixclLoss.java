package org.cover4j.pretrain.pixcl;

import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.pretrain.cover.CoverLosses;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;

/**
 * The binary pixel-wise contrastive loss (COVER paper, Eq. 1), as pure functions of tensors. For an anchor pixel i
 * of the fixed view, with L2-normalised projected features {@code q_i} (fixed view) and {@code k_j} (moving view
 * warped onto the fixed grid, so that {@code k_i} is the moving view's feature at i's correspondence):
 * <pre>
 *   loss_i = −log( exp(q_i·k_i/τ) / (exp(q_i·k_i/τ) + Σ_{n ∈ N, n ≠ i} exp(q_i·k_n/τ)) )
 * </pre>
 * The negatives {@code k_n} come from the same warped moving view as the positive, so that all logits of an anchor
 * compare features of one view.
 */
public final class PixclLoss {
    private PixclLoss() {}

    /**
     * {@code loss_i} of every anchor of one image: {@code q}, {@code k} are {@code (P, C)}, one row per pixel (not yet
     * normalised); {@code anchors} and {@code negatives} are int64 pixel indices; the result is {@code (A)}. A negative
     * at the anchor's own pixel is left out of that anchor's sum. Every anchor needs a negative other than itself.
     */
    public static Tensor perAnchor(Tensor q, Tensor k, Tensor anchors, Tensor negatives, double tau) {
        Tensor qRows = q.index_select(0, anchors);
        Tensor kRows = k.index_select(0, anchors);
        Tensor kNegRows = k.index_select(0, negatives);
        Tensor qn = CoverLosses.normalize(qRows);
        // 1/τ goes into the anchors' features before the products: one (A, C) multiplication instead of an (A, N) one.
        Tensor qScaled = qn.div(Ops.s(tau));
        Tensor kn = CoverLosses.normalize(kRows);
        Tensor kNeg = CoverLosses.normalize(kNegRows);
        Tensor product = qScaled.mul(kn);
        Tensor positive = product.sum(new long[] {1}, true, new ScalarTypeOptional());
        Tensor kNegT = kNeg.t();
        Tensor negative = qScaled.mm(kNegT);
        Tensor anchorColumn = anchors.unsqueeze(1);
        Tensor negativeRow = negatives.unsqueeze(0);
        Tensor self = anchorColumn.eq(negativeRow);
        // In place: mm's backward needs its inputs, not its output. exp(−∞) = 0 removes the term and its gradient.
        negative.masked_fill_(self, Ops.s(Double.NEGATIVE_INFINITY));
        Tensor logits = Ops.cat(1, positive, negative);
        Tensor logSum = logits.logsumexp(new long[] {1}, false);
        Tensor positiveFlat = positive.squeeze(1);
        Tensor loss = logSum.sub(positiveFlat);
        Ops.release(qRows, kRows, kNegRows, qn, qScaled, kn, kNeg, product, positive, kNegT, negative, anchorColumn, negativeRow,
                self, logits, logSum, positiveFlat);
        return loss;
    }

    /**
     * One level's loss: {@link #perAnchor} over every image of the batch, averaged over all its anchors. {@code fixed}
     * and {@code movingWarped} are the projected features {@code (B, C, *S)}; {@code anchors[b]} and
     * {@code negatives[b]} index image b's grid. Null when no image has an anchor.
     */
    public static Tensor level(Tensor fixed, Tensor movingWarped, int[][] anchors, int[][] negatives, double tau) {
        long batch = fixed.size(0);
        Tensor qFlat = fixed.flatten(2, -1);
        Tensor kFlat = movingWarped.flatten(2, -1);
        Tensor qPixels = qFlat.transpose(1, 2);
        Tensor kPixels = kFlat.transpose(1, 2);
        Tensor sum = null;
        long count = 0;
        for (int b = 0; b < batch; b++) {
            if (anchors[b].length == 0) continue;
            Tensor a = Tensors.indices(anchors[b], fixed.device());
            Tensor n = Tensors.indices(negatives[b], fixed.device());
            Tensor q = qPixels.select(0, b);
            Tensor k = kPixels.select(0, b);
            Tensor perAnchor = perAnchor(q, k, a, n, tau);
            Tensor imageSum = perAnchor.sum();
            if (sum == null) {
                sum = imageSum;
            } else {
                Tensor total = sum.add(imageSum);
                Ops.release(sum, imageSum);
                sum = total;
            }
            count += anchors[b].length;
            Ops.release(a, n, q, k, perAnchor);
        }
        Ops.release(qFlat, kFlat, qPixels, kPixels);
        if (sum == null) return null;
        Tensor mean = sum.div(Ops.s(count));
        Ops.release(sum);
        return mean;
    }
}
