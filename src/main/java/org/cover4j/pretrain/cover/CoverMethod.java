package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.ViewPair;
import org.cover4j.nn.Params;
import org.cover4j.nn.Warp;
import org.cover4j.pretrain.MethodOptions;
import org.cover4j.pretrain.Methods;
import org.cover4j.pretrain.PairViews;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;
import org.cover4j.util.Rng;

import java.util.LinkedHashMap;
import java.util.List;

/** COVER as a pre-training method: the model's flow against the true flow, and warped-feature consistency (SPEC §8). */
public final class CoverMethod implements PretrainMethod<ViewPair> {
    public static final Methods.Entry ENTRY = new Methods.Entry("cover",
            "vector contrastive learning (He & Li, ICCV 2025): mixture-of-vectors displacements at five levels against a known affine flow",
            CoverSettings.class, CoverSettings.DEFAULTS, CoverMethod::settings, CoverMethod::create);
    private static final List<String> LOSSES = List.of("loss_vec", "loss_con", LOSS);

    private final CoverModel model;
    private final PairViews views;
    /** The last forward pass, whose staged backward {@link #backward} runs. */
    private CoverModel.Output last;

    /** A method for a given model, without views (parity tests feed their own batches to {@link #losses}). */
    public CoverMethod(CoverModel model) {
        this(model, null);
    }

    public CoverMethod(CoverModel model, PairViews views) {
        this.model = model;
        this.views = views;
    }

    private static CoverSettings settings(PretrainSettings common, MethodOptions.Values o) {
        CoverViewOptions v = o.get(CoverViewOptions.class);
        CoverOptions c = o.get(CoverOptions.class);
        return new CoverSettings(v.degree, v.appearanceMode(), c.heads, c.headDim, c.amp);
    }

    private static CoverMethod create(PretrainConfig config, org.bytedeco.pytorch.Device device) {
        CoverSettings s = (CoverSettings) config.method();
        PretrainSettings common = config.common();
        int[] channels = config.backbone().channels();
        CoverModel model = new CoverModel(s.config(common.dims(), channels != null ? channels : CoverConfig.DEFAULT_CHANNELS), config.backbone(),
                Methods.cube(common.dims(), common.size()), device, Methods.modelRng(common.seed()));
        return new CoverMethod(model, PairViews.of(common, s.degree(), s.appearance()));
    }

    public CoverModel model() {
        return model;
    }

    @Override
    public String name() {
        return "cover";
    }

    @Override
    public List<String> lossNames() {
        return LOSSES;
    }

    @Override
    public Params state() {
        return model.params();
    }

    @Override
    public Object modelDescription() {
        return model.config();
    }

    @Override
    public ViewPair sample(float[] image, Rng rng) {
        return views.make(image, rng);
    }

    @Override
    public Step forward(List<ViewPair> batch) {
        ViewBatch vb;
        try (Profiler.Section p = Profiler.section("views to tensors")) {
            vb = ViewBatch.of(batch, model.params().device());
        }
        LinkedHashMap<String, Tensor> losses = losses(vb);
        return new Step(losses, java.util.Map.of(), vb.problem());
    }

    /** The named losses of one batch ({@code loss_vec}, {@code loss_con}, {@code loss}), inside a step scope. */
    public LinkedHashMap<String, Tensor> losses(ViewBatch batch) {
        CoverModel.Output out = model.forward(batch.moving(), batch.fixed());
        last = out;
        Tensor lossVec;
        try (Profiler.Section p = Profiler.section("loss fwd (L1, cosine)", out.flow())) {
            lossVec = CoverLosses.maskedL1(out.flow(), batch.flow(), batch.mask());
        }
        Tensor featMovedToFixed = Warp.apply(out.featMoving(), batch.flow());
        // The consistency loss's gradients are made by hand and at once (its weight in `loss` is 1): they go to the
        // finest features' leaves, through the warp for the moving ones, before the rest of the backward pass, and
        // the full-resolution temporaries of the loss are gone before the step's other peaks.
        Tensor[] con;
        try (Profiler.Section p = Profiler.section("loss fwd (L1, cosine)", out.flow())) {
            con = CoverLosses.maskedCosineWithGradients(out.featFixed(), featMovedToFixed, batch.mask());
        }
        Tensor lossCon = con[0];
        if (out.featFixed().requires_grad()) {
            try (Profiler.Section p = Profiler.section("loss bwd (cosine, its warp)", out.flow())) {
                Autograd.accumulateGrad(out.featFixed(), con[1]);
                Autograd.backward(List.of(featMovedToFixed), List.of(con[2]));
            }
        }
        Ops.release(featMovedToFixed, con[1], con[2]);
        LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
        l.put("loss_vec", lossVec);
        l.put("loss_con", lossCon);
        l.put(LOSS, lossVec.add(lossCon));
        return l;
    }

    @Override
    public void memoryMode(org.cover4j.nn.MemoryMode mode) {
        model.memoryMode(mode);
    }

    @Override
    public void backward(Step step) {
        backward(step.losses());
    }

    /** The staged backward pass of the last {@link #losses} call (see {@link StagedBackward}). */
    public void backward(LinkedHashMap<String, Tensor> losses) {
        CoverModel.Output out = last;
        last = null;
        if (out == null) throw new IllegalStateException("backward without a forward pass");
        out.backward(losses.get(LOSS));
    }
}
