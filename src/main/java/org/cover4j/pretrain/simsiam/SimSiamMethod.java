package org.cover4j.pretrain.simsiam;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.BackboneSpec;
import org.cover4j.nn.Mlp;
import org.cover4j.nn.Params;
import org.cover4j.nn.Backbone;
import org.cover4j.pretrain.MethodOptions;
import org.cover4j.pretrain.MethodBase;
import org.cover4j.pretrain.Methods;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.TwoViews;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SimSiam (Chen & He, CVPR 2021) on the U-Net's encoder: backbone → global average pooling → projector gives z,
 * the predictor gives p, and each view's p is pulled towards the other view's z, which is held constant (the
 * stop-gradient that keeps it from collapsing). Tensors: {@code backbone.*} (what {@code finetune --init} loads; its
 * decoder is not used and stays at its initial weights), {@code projector.*}, {@code predictor.*}. The monitor
 * {@code z_std} (a metrics column) watches for collapse.
 */
public final class SimSiamMethod extends MethodBase<float[][]> {
    public static final Methods.Entry ENTRY = new Methods.Entry("simsiam",
            "SimSiam (Chen & He, CVPR 2021): the encoder's pooled features of one view predict the other's projection, behind a stop-gradient",
            SimSiamSettings.class, SimSiamSettings.DEFAULTS, SimSiamMethod::settings, SimSiamMethod::create, 2,
            "with one image, BatchNorm in the projector sees only its two views and makes them mirror images of each other, so the loss no longer compares the views");
    /** The collapse monitor's column. */
    public static final String Z_STD = "z_std";
    /** The streams of {@link Methods#modelRng} the heads draw from (the backbone's is 1). */
    private static final long PROJECTOR_STREAM = 2;
    private static final long PREDICTOR_STREAM = 3;
    private static final List<String> LOSSES = List.of(LOSS);

    private final Params params;
    private final Backbone backbone;
    private final Mlp projector;
    private final Mlp predictor;
    private final TwoViews views;

    /**
     * A SimSiam model on a U-Net of {@code backbone} in {@code dims} dimensions for crops of {@code size}, weights drawn from the run's
     * {@code seed} (the backbone exactly as COVER's); {@code views} may be null when batches are fed by hand.
     */
    public SimSiamMethod(SimSiamSettings s, int dims, int size, BackboneSpec backbone, long seed, Device device, TwoViews views) {
        super("simsiam", LOSSES, List.of(Z_STD));
        Rng model = Methods.modelRng(seed);
        this.params = new Params(device);
        this.backbone = Methods.backbone(backbone, params, dims, size, seed);
        int c = this.backbone.deepestChannels();
        int d = s.dim();
        // Three bias-free linear layers each followed by BatchNorm (the paper's "BN applied to each fc layer, including
        // its output fc"; the output BN has no affine parameters), ReLU after the first two.
        this.projector = Mlp.builder(params, "projector", model.derive(PROJECTOR_STREAM))
                .linear(c, d, false).batchNorm(d, true).relu()
                .linear(d, d, false).batchNorm(d, true).relu()
                .linear(d, d, false).batchNorm(d, false).build();
        // A bottleneck: BN and ReLU on its hidden layer, none on its output.
        this.predictor = Mlp.builder(params, "predictor", model.derive(PREDICTOR_STREAM))
                .linear(d, s.hidden(), false).batchNorm(s.hidden(), true).relu()
                .linear(s.hidden(), d, true).build();
        this.views = views;
    }

    private static SimSiamSettings settings(PretrainSettings common, MethodOptions.Values o) {
        SimSiamOptions so = o.get(SimSiamOptions.class);
        return new SimSiamSettings(so.dim, so.hidden);
    }

    /** Only the encoder runs: the decoder keeps its initial weights. */
    @Override
    public boolean trainsDecoder() {
        return false;
    }

    private static SimSiamMethod create(PretrainConfig config, Device device) {
        PretrainSettings common = config.common();
        return new SimSiamMethod((SimSiamSettings) config.method(), common.dims(), common.size(), config.backbone(), common.seed(), device,
                TwoViews.of(common));
    }

    @Override
    public Params state() {
        return params;
    }

    @Override
    public float[][] sample(float[] image, Rng rng) {
        return views.make(image, rng);
    }

    @Override
    public Step forward(List<float[][]> batch) {
        return step(views.batch(batch, params.device()));
    }

    /** The loss and monitor of a (2B, 1, *S) batch of first views then second views ({@link TwoViews#batch}). */
    public Step step(Tensor images) {
        Tensor deepest = backbone.deepest(images);
        Tensor pooled = Ops.globalAveragePool(deepest);
        Tensor z = projector.apply(pooled);
        Tensor p = predictor.apply(z);
        Ops.release(deepest, pooled);
        LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
        l.put(LOSS, SimSiamLosses.symmetric(p, z));
        return new Step(l, Map.of(Z_STD, SimSiamLosses.normalizedStd(z)), null);
    }
}
