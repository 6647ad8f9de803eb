package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.nn.Warp;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;

import java.util.LinkedHashMap;
import java.util.List;

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
        // The consistency loss's gradients are made by hand and at once (its weight in `loss` is 1): they go to the
        // finest features' leaves, through the warp for the moving ones, before the rest of the backward pass, and
        // the full-resolution temporaries of the loss are gone before the step's other peaks.
        Tensor[] con = CoverLosses.maskedCosineWithGradients(out.featFixed(), featMovedToFixed, batch.mask());
        Tensor lossCon = con[0];
        if (out.featFixed().requires_grad()) {
            Autograd.accumulateGrad(out.featFixed(), con[1]);
            Autograd.backward(List.of(featMovedToFixed), List.of(con[2]));
        }
        Ops.release(featMovedToFixed, con[1], con[2]);
        LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
        l.put("loss_vec", lossVec);
        l.put("loss_con", lossCon);
        l.put("loss", lossVec.add(lossCon));
        return l;
    }

    @Override
    public void recomputeActivations(boolean on) {
        model.lowMemory(on);
    }

    @Override
    public void backward(LinkedHashMap<String, Tensor> losses) {
        CoverModel.Output out = last;
        last = null;
        if (out == null) throw new IllegalStateException("backward without a forward pass");
        out.backward(losses.get("loss"));
    }
}
