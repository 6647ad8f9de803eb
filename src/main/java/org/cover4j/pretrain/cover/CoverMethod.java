package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.nn.Warp;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.torch.Ops;

import java.util.LinkedHashMap;

/** COVER as a pre-training method: the model's flow against the true flow, and warped-feature consistency (SPEC §8). */
public final class CoverMethod implements PretrainMethod {
    private final CoverModel model;
    /** The last forward pass, whose staged backward {@link #backward} runs. */
    private CoverModel.Output last;

    public CoverMethod(CoverModel model) {
        this.model = model;
    }

    public CoverModel model() {
        return model;
    }

    @Override
    public String name() {
        return "cover";
    }

    @Override
    public Params params() {
        return model.params();
    }

    @Override
    public LinkedHashMap<String, Tensor> losses(ViewBatch batch) {
        CoverModel.Output out = model.forward(batch.moving(), batch.fixed());
        last = out;
        Tensor lossVec = CoverLosses.maskedL1(out.flow(), batch.flow(), batch.mask());
        Tensor featMovedToFixed = Warp.apply(out.featMoving(), batch.flow());
        Tensor lossCon = CoverLosses.maskedCosine(out.featFixed(), featMovedToFixed, batch.mask());
        Ops.release(featMovedToFixed);
        LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
        l.put("loss_vec", lossVec);
        l.put("loss_con", lossCon);
        l.put("loss", lossVec.add(lossCon));
        return l;
    }

    @Override
    public void recomputeActivations(boolean on) {
        model.recomputeFullResolution(on);
    }

    @Override
    public void backward(LinkedHashMap<String, Tensor> losses) {
        CoverModel.Output out = last;
        last = null;
        if (out == null) throw new IllegalStateException("backward without a forward pass");
        out.backward(losses.get("loss"));
    }
}
