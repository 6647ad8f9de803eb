package org.cover4j.pretrain.byol;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
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
import org.cover4j.train.Ema;
import org.cover4j.util.Rng;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * BYOL (Grill et al., NeurIPS 2020) on the U-Net's encoder: the online network (backbone → global average pooling →
 * projector → predictor) predicts the projection that a target network, a moving average of the online backbone and
 * projector, makes of the other view. Tensors: {@code backbone.*} (the online U-Net, what {@code finetune --init}
 * loads; its decoder is not used and stays at its initial weights), {@code projector.*}, {@code predictor.*}, and the
 * target's {@code target.backbone.*} and {@code target.projector.*}, saved but never given to the optimizer.
 */
public final class ByolMethod extends MethodBase<float[][]> {
    public static final Methods.Entry ENTRY = new Methods.Entry("byol",
            "BYOL (Grill et al., NeurIPS 2020): the encoder's pooled features of one view predict a moving-average target's projection of another",
            ByolSettings.class, ByolSettings.DEFAULTS, ByolMethod::settings, ByolMethod::create, 2,
            "with one image, BatchNorm in the projector sees only its two views and makes them mirror images of each other, so the loss no longer compares the views");
    /** The prefix of the target network's tensors. */
    public static final String TARGET = "target.";
    static final String PROJECTOR = "projector";
    static final String PREDICTOR = "predictor";
    /** The streams of {@link Methods#modelRng} the heads draw from (the backbone's is 1). */
    private static final long PROJECTOR_STREAM = 2;
    private static final long PREDICTOR_STREAM = 3;
    private static final List<String> LOSSES = List.of(LOSS);

    /** A backbone with its projector: the online network and the target share this one forward pass. */
    private record Branch(Backbone backbone, Mlp projector) {
        Tensor project(Tensor images) {
            Tensor deepest = backbone.deepest(images);
            Tensor pooled = Ops.globalAveragePool(deepest);
            Tensor z = projector.apply(pooled);
            Ops.release(deepest, pooled);
            return z;
        }
    }

    private final Params online;
    private final Params target;
    private final Params state;
    private final Branch onlineNet;
    private final Branch targetNet;
    private final Mlp predictor;
    private final double emaBase;
    private final TwoViews views;

    /**
     * A BYOL model on a U-Net of {@code backbone} in {@code dims} dimensions for crops of {@code size}, weights drawn from the run's
     * {@code seed} (the backbone exactly as COVER's), the target equal to the online network; {@code views} may be
     * null when batches are fed by hand.
     */
    public ByolMethod(ByolSettings s, int dims, int size, BackboneSpec backbone, long seed, Device device, TwoViews views) {
        super("byol", LOSSES, List.of());
        Rng model = Methods.modelRng(seed);
        this.online = new Params(device);
        Backbone net = Methods.backbone(backbone, online, dims, size, seed);
        int c = net.deepestChannels();
        this.onlineNet = new Branch(net, head(online, PROJECTOR, c, s, model.derive(PROJECTOR_STREAM)));
        Params predictorParams = new Params(device);
        this.predictor = head(predictorParams, PREDICTOR, s.dim(), s, model.derive(PREDICTOR_STREAM));
        this.target = new Params(device);
        // Drawn and then overwritten with the online weights: the target starts equal to the online network.
        Rng unused = new Rng(seed);
        this.targetNet = new Branch(backbone.build(target, TARGET + BACKBONE, dims, 1, Methods.cube(dims, size), unused),
                head(target, TARGET + PROJECTOR, c, s, unused));
        target.freeze();
        Ema.copy(online, target, TARGET);
        this.state = Params.union(online, predictorParams, target);
        this.emaBase = s.ema();
        this.views = views;
    }

    /** Linear(in, hidden) → BatchNorm → ReLU → Linear(hidden, dim): BYOL's projector (in = C) and predictor (in = dim). */
    private static Mlp head(Params params, String name, int in, ByolSettings s, Rng rng) {
        return Mlp.builder(params, name, rng).linear(in, s.hidden(), true).batchNorm(s.hidden(), true).relu()
                .linear(s.hidden(), s.dim(), true).build();
    }

    private static ByolSettings settings(PretrainSettings common, MethodOptions.Values o) {
        ByolOptions b = o.get(ByolOptions.class);
        return new ByolSettings(b.hidden, b.dim, b.ema);
    }

    /** Only the encoder runs: the decoder keeps its initial weights. */
    @Override
    public boolean trainsDecoder() {
        return false;
    }

    private static ByolMethod create(PretrainConfig config, Device device) {
        PretrainSettings common = config.common();
        return new ByolMethod((ByolSettings) config.method(), common.dims(), common.size(), config.backbone(), common.seed(), device, TwoViews.of(common));
    }

    /** Online and target tensors; the target's are frozen buffers, so the default {@link #trainable()} leaves them out. */
    @Override
    public Params state() {
        return state;
    }

    @Override
    public float[][] sample(float[] image, Rng rng) {
        return views.make(image, rng);
    }

    @Override
    public Step forward(List<float[][]> batch) {
        return Step.of(losses(views.batch(batch, state.device())));
    }

    /** The loss of a (2B, 1, *S) batch of first views then second views ({@link TwoViews#batch}). */
    public LinkedHashMap<String, Tensor> losses(Tensor images) {
        Tensor predictions = predictor.apply(onlineNet.project(images));
        Tensor targets;
        try (NoGradGuard g = new NoGradGuard()) {
            targets = targetNet.project(images);
        }
        LinkedHashMap<String, Tensor> l = new LinkedHashMap<>();
        l.put(LOSS, ByolLosses.symmetric(predictions, targets));
        return l;
    }

    /** target ← τ·target + (1 − τ)·online, τ on BYOL's cosine schedule from {@code --ema} at the start to 1 at the end. */
    @Override
    public void afterOptimizerStep(long step, long totalSteps) {
        Ema.update(online, target, TARGET, Ema.cosineTau(emaBase, step, totalSteps));
    }
}
