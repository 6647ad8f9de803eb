package org.cover4j.pretrain;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.cover4j.augment.AppearanceMode;
import org.cover4j.augment.ViewPair;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.pretrain.cover.CoverConfig;
import org.cover4j.pretrain.cover.CoverMethod;
import org.cover4j.pretrain.cover.CoverModel;
import org.cover4j.pretrain.cover.FlowErrors;
import org.cover4j.torch.StepScope;
import org.cover4j.torch.Torch;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-level flow errors of {@code analyze flow} against the training's own loss and a hand computation. */
class FlowErrorsTest {
    @Test
    void finalLevelIsLossVecAndZeroFlowIsTheMeanDisplacement() {
        Torch.load();
        Torch.setThreads(1);
        try (StepScope s = StepScope.open()) {
            CoverModel model = new CoverModel(new CoverConfig(2, 1, CoverConfig.SMALL_CHANNELS, 8, CoverConfig.DEFAULT_HEADS, 2),
                    new Device("cpu"), new Rng(0));
            PairViews views = new PairViews(2, 48, 32, 1.5, AppearanceMode.PAPER);
            List<ViewPair> pairs = new ArrayList<>();
            Rng rng = new Rng(11);
            for (int i = 0; i < 2; i++) pairs.add(views.make(Phantoms.image2d(5, i, 48).image(), rng.derive(i)));
            ViewBatch batch = ViewBatch.of(pairs, new Device("cpu"));

            double[] e = FlowErrors.of(model, batch);
            assertEquals(FlowErrors.NAMES.length, e.length);
            for (double v : e) assertTrue(Double.isFinite(v) && v > 0, java.util.Arrays.toString(e));

            double lossVec;
            try (NoGradGuard g = new NoGradGuard()) {
                lossVec = new CoverMethod(model).losses(batch).get("loss_vec").item_double();
            }
            assertEquals(lossVec, e[4], 1e-5 * lossVec, "the final level's error is the training's loss_vec");

            // Σ mask·(|u| + |v|) / Σ mask over both pairs, by hand.
            double sum = 0, maskSum = 0;
            for (ViewPair p : pairs) {
                float[] flow = p.flow();
                float[] mask = p.mask();
                int voxels = mask.length;
                for (int c = 0; c < 2; c++) for (int i = 0; i < voxels; i++) sum += Math.abs(flow[c * voxels + i]) * mask[i];
                for (float m : mask) maskSum += m;
            }
            assertEquals(sum / maskSum, e[5], 1e-5 * e[5], "the zero flow's error is the mean displacement");
        }
    }
}
