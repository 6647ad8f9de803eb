package org.cover4j.pretrain.simsiam;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.pretrain.TwoViews;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;

/** SimSiam's loss and collapse monitor (Chen & He, CVPR 2021): pure functions. */
public final class SimSiamLosses {
    private SimSiamLosses() {}

    /** D(p, z) = −cos(p, z) averaged over the rows, z a constant (stop-gradient): Eq. 1 of the paper. */
    public static Tensor negativeCosine(Tensor p, Tensor z) {
        Tensor cos = Ops.rowCosine(p, z.detach());
        Tensor loss = cos.mean().neg();
        Ops.release(cos);
        return loss;
    }

    /**
     * ½·D(p₁, z₂) + ½·D(p₂, z₁) for 2B rows in {@link TwoViews#batch} order (each D a mean over the B samples): the
     * mean over all 2B rows of each prediction against the other view's projection.
     */
    public static Tensor symmetric(Tensor predictions, Tensor projections) {
        Tensor partner = TwoViews.otherView(projections);
        Tensor loss = negativeCosine(predictions, partner);
        Ops.release(partner);
        return loss;
    }

    /**
     * The paper's collapse indicator (§4.1): the L2-normalised rows of z (N, D), the standard deviation over the rows of
     * each dimension (unbiased, as torch.std), averaged over the dimensions. About 1/√D for well-spread outputs, 0 when
     * every row is the same vector. Computed in double precision from a copy; no gradient.
     */
    public static double normalizedStd(Tensor z) {
        int n = (int) z.size(0);
        int d = (int) z.size(1);
        if (n < 2) throw new IllegalArgumentException("the spread of " + n + " row needs at least 2 rows");
        float[] v = Tensors.toArray(z.detach());
        double[] unit = new double[n * d];
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int j = 0; j < d; j++) sq += (double) v[i * d + j] * v[i * d + j];
            double norm = Math.max(Math.sqrt(sq), 1e-12); // F.normalize's eps
            for (int j = 0; j < d; j++) unit[i * d + j] = v[i * d + j] / norm;
        }
        double sum = 0;
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += unit[i * d + j];
            mean /= n;
            double ss = 0;
            for (int i = 0; i < n; i++) ss += (unit[i * d + j] - mean) * (unit[i * d + j] - mean);
            sum += Math.sqrt(ss / (n - 1));
        }
        return sum / d;
    }
}
