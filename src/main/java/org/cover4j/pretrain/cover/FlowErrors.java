package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.torch.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How well a COVER model recovers the known displacement at each step of its vector pyramid: for a batch of view
 * pairs, the flow composed after each of the five VPA levels (1/8, 1/4, 1/2 and 1/1 resolution, then the finest
 * level's refinement at 1/1), brought to full resolution the way the model itself upsamples flows (×2 bilinear with
 * the vectors doubled), and scored with the training's masked L1 against the true flow. The last value is the batch's
 * {@code loss_vec}; the zero flow's error is the baseline a model that learnt nothing would get.
 */
public final class FlowErrors {
    /** Column names, coarsest pyramid step first, then the baseline. */
    public static final String[] NAMES = {"level 0 (1/8)", "level 1 (1/4)", "level 2 (1/2)", "level 3 (1/1)", "level 4 (1/1, final)", "zero flow"};

    private FlowErrors() {}

    /** The six errors of one batch (see {@link #NAMES}), computed without gradients. */
    public static double[] of(CoverModel model, ViewBatch batch) {
        try (NoGradGuard g = new NoGradGuard()) {
            Map<String, Tensor> trace = new LinkedHashMap<>();
            model.forward(batch.moving(), batch.fixed(), trace);
            double[] out = new double[NAMES.length];
            long full = batch.flow().size(2);
            for (int level = 0; level < 5; level++) {
                Tensor f = trace.get("vpa/flow_" + level);
                while (f.size(2) < full) f = Ops.upsample2x(f.mul(Ops.s(2.0)), true);
                out[level] = CoverLosses.maskedL1(f, batch.flow(), batch.mask()).item_double();
            }
            out[5] = CoverLosses.maskedL1(batch.flow().mul(Ops.s(0.0)), batch.flow(), batch.mask()).item_double();
            return out;
        }
    }
}
