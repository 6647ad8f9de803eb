package org.cover4j.train;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

import java.util.ArrayList;
import java.util.List;

/** {@code clip_grad_norm_} (SPEC §9): total 2-norm over all gradients; scale by min(1, max/(norm+1e-6)). */
public final class GradClip {
    private GradClip() {}

    /**
     * Clips in place and returns the total norm before clipping (NaN/Inf when a gradient is not finite);
     * {@code maxNorm} = +∞ measures the norm without clipping.
     */
    public static double clip(Params params, double maxNorm) {
        try (NoGradGuard g = new NoGradGuard()) {
            List<Tensor> grads = new ArrayList<>();
            for (String n : params.trainableNames()) {
                Tensor gr = params.get(n).grad();
                if (gr != null && !gr.isNull() && gr.defined()) grads.add(gr);
            }
            if (grads.isEmpty()) return 0;
            Tensor[] norms = new Tensor[grads.size()];
            for (int i = 0; i < norms.length; i++) norms[i] = torch.linalg_vector_norm(grads.get(i));
            Tensor total = torch.linalg_vector_norm(Ops.stack(0, norms));
            double totalNorm = total.item_double();
            if (Double.isInfinite(maxNorm)) return totalNorm; // no clipping asked for: the norm is still reported and checked
            Tensor coef = total.add(Ops.s(1e-6)).reciprocal().mul(Ops.s(maxNorm)).clamp_max(Ops.s(1.0));
            for (Tensor gr : grads) gr.mul_(coef);
            return totalNorm;
        }
    }

    /** Sets every gradient to zero (PyTorch ≥ 2 sets them to None; zeros give the same next step). */
    public static void zeroGrad(Params params) {
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : params.trainableNames()) {
                Tensor gr = params.get(n).grad();
                if (gr != null && !gr.isNull() && gr.defined()) gr.zero_();
            }
        }
    }
}
