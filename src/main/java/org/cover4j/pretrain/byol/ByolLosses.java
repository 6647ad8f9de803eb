package org.cover4j.pretrain.byol;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.pretrain.TwoViews;
import org.cover4j.torch.Ops;

/** BYOL's loss (Grill et al. 2020, Eq. 2): pure functions of the online predictions and the target projections. */
public final class ByolLosses {
    private ByolLosses() {}

    /**
     * ‖p̄ − z̄‖² = 2 − 2·cos(p, z) per row (p̄, z̄ the L2-normalised rows), averaged over the rows; z is a constant
     * (stop-gradient). Cosine with eps 1e-8 on the norms' product where the paper's code normalises each row with eps
     * 1e-12: the same for any row that is not almost zero.
     */
    public static Tensor regression(Tensor p, Tensor z) {
        Tensor cos = Ops.rowCosine(p, z.detach());
        Tensor perRow = cos.mul(Ops.s(-2)).add(Ops.s(2));
        Tensor mean = perRow.mean();
        Ops.release(cos, perRow);
        return mean;
    }

    /**
     * The symmetrised loss l(p₁, z₂′) + l(p₂, z₁′) for 2B rows in {@link TwoViews#batch} order (each direction a mean
     * over the B samples): twice the mean over all 2B rows of each prediction against the other view's projection.
     */
    public static Tensor symmetric(Tensor predictions, Tensor targetProjections) {
        Tensor partner = TwoViews.otherView(targetProjections);
        Tensor mean = regression(predictions, partner);
        Tensor loss = mean.mul(Ops.s(2));
        Ops.release(partner, mean);
        return loss;
    }
}
