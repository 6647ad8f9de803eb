package org.cover4j.pretrain.pixcl;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.ViewPair;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Params;
import org.cover4j.nn.Projection;
import org.cover4j.nn.Backbone;
import org.cover4j.pretrain.MethodOptions;
import org.cover4j.pretrain.MethodBase;
import org.cover4j.pretrain.Methods;
import org.cover4j.pretrain.PairViews;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.ViewBatch;
import org.cover4j.pretrain.cover.CoverViewOptions;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary pixel-wise contrastive learning (the COVER paper's Eq. 1 baseline) as a pre-training method: COVER's view
 * pairs, backbone and budget, only the loss differs. At each of the U-Net's five decoder levels (finest first) a
 * projection {@code proj.<level>} (COVER's 1×1 conv + GroupNorm, {@code --pixcl-dim} channels) maps both views'
 * features; the moving view's are warped onto the fixed grid with the known flow, so that the fixed view's feature at
 * pixel i and the warped moving feature at i are a positive pair, and {@link PixclLoss} contrasts them with warped
 * moving features at other pixels. Unlike COVER's {@code proj.i} (coarsest first), {@code proj.0} here is the finest.
 */
public final class PixclMethod extends MethodBase<PixclSample> {
    public static final Methods.Entry ENTRY = new Methods.Entry("pixcl",
            "binary pixel-wise contrastive learning (COVER's Eq. 1 baseline): InfoNCE between corresponding pixels of COVER's view pairs at five levels",
            PixclSettings.class, PixclSettings.DEFAULTS, PixclMethod::settings, PixclMethod::create);
    static final int LEVELS = 5;
    /** The streams of {@link Methods#modelRng}: the backbone's (shared with every method) and the projections'. */
    private static final long PROJECTION_STREAM = 2;
    private static final List<String> LOSSES = lossNames(LEVELS);

    private final PixclSettings settings;
    private final Params params;
    private final Backbone backbone;
    private final Projection[] proj = new Projection[LEVELS];
    private final PairViews views;

    /** The method's network with weights drawn from {@code common}'s seed; {@code views} from {@code common} too. */
    public PixclMethod(PixclSettings settings, PretrainSettings common, BackboneSpec backboneSpec, Device device) {
        super("pixcl", LOSSES, List.of());
        this.settings = settings;
        this.params = new Params(device);
        Rng modelRng = Methods.modelRng(common.seed());
        this.backbone = Methods.backbone(backboneSpec, params, common.dims(), common.size(), common.seed());
        int[] channels = backbone.levelChannels();
        Rng projRng = modelRng.derive(PROJECTION_STREAM);
        for (int level = 0; level < LEVELS; level++) {
            proj[level] = new Projection(params, "proj." + level, common.dims(), channels[level], settings.dim(), projRng);
        }
        this.views = PairViews.of(common, settings.degree(), settings.appearance());
    }

    private static PixclSettings settings(PretrainSettings common, MethodOptions.Values o) {
        CoverViewOptions v = o.get(CoverViewOptions.class);
        PixclOptions p = o.get(PixclOptions.class);
        return new PixclSettings(v.degree, v.appearanceMode(), p.negatives, p.tau, p.dim);
    }

    private static PixclMethod create(PretrainConfig config, Device device) {
        return new PixclMethod((PixclSettings) config.method(), config.common(), config.backbone(), device);
    }

    private static List<String> lossNames(int levels) {
        List<String> names = new ArrayList<>();
        for (int level = 0; level < levels; level++) names.add("loss_l" + level);
        names.add(LOSS);
        return List.copyOf(names);
    }

    @Override
    public Params state() {
        return params;
    }

    @Override
    public Object modelDescription() {
        return Map.of("projection_dim", settings.dim(), "projections", "proj.0 (full resolution) to proj.4 (1/16)");
    }

    @Override
    public PixclSample sample(float[] image, Rng rng) {
        return PixelDraws.draw(views.make(image, rng), LEVELS, settings.negatives(), rng);
    }

    /**
     * The per-level losses {@code loss_l0..loss_l4} and their mean {@code loss}. A level where no image has an anchor
     * (small images: a coarse pixel needs its whole block to correspond) is reported as NaN and adds nothing to
     * {@code loss}, which stays the sum of the levels' losses over five.
     */
    @Override
    public Step forward(List<PixclSample> batch) {
        List<ViewPair> pairs = batch.stream().map(PixclSample::pair).toList();
        ViewBatch vb = ViewBatch.of(pairs, params.device());
        long b = pairs.size();
        // Both views go through one backbone pass as a batch of 2B (GroupNorm is per sample: the same values).
        Tensor images = Ops.cat(0, vb.moving(), vb.fixed());
        List<Tensor> levels = backbone.levels(images);
        LinkedHashMap<String, Tensor> losses = new LinkedHashMap<>();
        List<Tensor> terms = new ArrayList<>();
        boolean measured = false;
        for (int level = 0; level < LEVELS; level++) {
            Tensor features = levels.get(level);
            Tensor moving = features.narrow(0, 0, b);
            Tensor fixed = features.narrow(0, b, b);
            Tensor flow = levelFlow(vb.flow(), level);
            Tensor q = proj[level].apply(fixed);
            Tensor k = proj[level].applyWarped(moving, flow);
            Tensor loss = PixclLoss.level(q, k, levelDraws(batch, level, true), levelDraws(batch, level, false), settings.tau());
            measured |= loss != null;
            losses.put("loss_l" + level, loss != null ? loss : Ops.scalarTensor(Double.NaN, images));
            terms.add(loss != null ? loss : zeroTerm(q, k));
            Ops.release(features, moving, fixed, q, k, flow == vb.flow() ? null : flow);
        }
        String problem = vb.problem();
        if (problem == null && !measured) problem = "fewer than two pixels with a correspondence at every level: nothing to contrast";
        // Each level weighs 1/5 whether or not another level has anchors: a level without any adds nothing, rather
        // than raising the others' weights (and the reported loss) for that step.
        Tensor stacked = Ops.stack(0, terms.toArray(new Tensor[0]));
        Tensor sum = stacked.sum();
        losses.put(LOSS, measured ? sum.div(Ops.s(LEVELS)) : Ops.scalarTensor(Double.NaN, images));
        Ops.release(images, stacked, sum);
        return new Step(losses, Map.of(), problem);
    }

    /**
     * Zero, as a function of a level's projected features: a level without anchors still gives its projection a
     * (zero) gradient. Otherwise a projection would have no gradient until its level first has anchors, and Adam,
     * which skips a parameter without one but updates one with a zero gradient (its momentum and weight decay),
     * would treat it differently in a resumed run than in the uninterrupted one.
     */
    private static Tensor zeroTerm(Tensor q, Tensor k) {
        Tensor qSum = q.sum();
        Tensor kSum = k.sum();
        Tensor both = qSum.add(kSum);
        Tensor zero = both.mul(Ops.s(0.0));
        Ops.release(qSum, kSum, both);
        return zero;
    }

    /**
     * The flow on level {@code level}'s grid, {@code 2^level} times coarser: the mean over each block (a coarse pixel
     * sits at its block's centre, where an affine flow equals its block mean) divided by {@code 2^level}, the
     * coarse grid's pixel unit. Coarse features are then related as COVER relates the finest: {@code Warp}.
     */
    static Tensor levelFlow(Tensor flow, int level) {
        if (level == 0) return flow;
        int factor = 1 << level;
        Tensor mean = Ops.avgPool(flow, factor);
        Tensor scaled = mean.div(Ops.s(factor));
        Ops.release(mean);
        return scaled;
    }

    private static int[][] levelDraws(List<PixclSample> batch, int level, boolean anchors) {
        int[][] out = new int[batch.size()][];
        for (int i = 0; i < out.length; i++) out[i] = anchors ? batch.get(i).anchors()[level] : batch.get(i).negatives()[level];
        return out;
    }
}
