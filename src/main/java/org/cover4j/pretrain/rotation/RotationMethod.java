package org.cover4j.pretrain.rotation;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.augment.RotationSample;
import org.cover4j.augment.Rotations;
import org.cover4j.nn.Params;
import org.cover4j.nn.Backbone;
import org.cover4j.pretrain.MethodOptions;
import org.cover4j.pretrain.MethodBase;
import org.cover4j.pretrain.Methods;
import org.cover4j.pretrain.PretrainConfig;
import org.cover4j.pretrain.PretrainMethod;
import org.cover4j.pretrain.PretrainSettings;
import org.cover4j.pretrain.SampleTensors;
import org.cover4j.util.Rng;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rotation prediction (Gidaris et al., ICLR 2018; in 3D as Taleb et al., NeurIPS 2020) as a pre-training method: a
 * random crop is rotated by one of {@link Rotations#classes} rotations and the U-Net's encoder, its deepest features
 * pooled and a linear layer ({@link RotationHead}), says which; loss = cross-entropy, with the batch's accuracy
 * ({@code acc}) monitored. The decoder is not trained (its weights stay as drawn) and is not run.
 */
public final class RotationMethod extends MethodBase<RotationSample> {
    static final String NAME = "rotation";
    public static final Methods.Entry ENTRY = new Methods.Entry(NAME,
            "rotation prediction (Gidaris et al., ICLR 2018; 3D as Taleb et al., NeurIPS 2020): the U-Net's encoder says by which"
                    + " of 4 (2D) or 10 (3D) rotations a crop was turned (cross-entropy); no options, trained with the common Adam and --lr",
            RotationSettings.class, RotationSettings.DEFAULTS, RotationMethod::settings, RotationMethod::create);
    private static final List<String> LOSSES = List.of("loss_ce", LOSS);
    private static final List<String> MONITORS = List.of("acc");

    private final Params params;
    private final Backbone backbone;
    private final RotationHead head;
    private final int[] loaderShape;
    private final int[] cropShape;

    /**
     * The model: {@code config}'s backbone (as every method's, {@link Methods#backbone}) and the head, for crops of
     * {@code config}'s size.
     */
    public RotationMethod(PretrainConfig config, Device device) {
        super(NAME, LOSSES, MONITORS);
        PretrainSettings common = config.common();
        int dims = common.dims();
        this.params = new Params(device);
        this.backbone = Methods.backbone(config, params);
        this.head = new RotationHead(params, backbone.deepestChannels(), Rotations.classes(dims), Methods.headRng(common.seed()));
        this.loaderShape = SampleTensors.cube(dims, common.loaderSize());
        this.cropShape = SampleTensors.cube(dims, common.size());
    }

    /** Rotation prediction reads only the encoder's deepest features: the decoder keeps its initial weights. */
    @Override
    public boolean trainsDecoder() {
        return false;
    }

    private static RotationSettings settings(PretrainSettings common, MethodOptions.Values o) {
        return RotationSettings.DEFAULTS;
    }

    private static RotationMethod create(PretrainConfig config, Device device) {
        return new RotationMethod(config, device);
    }

    @Override
    public Params state() {
        return params;
    }

    @Override
    public RotationSample sample(float[] image, Rng rng) {
        return Rotations.make(image, 1, loaderShape, cropShape[0], rng);
    }

    @Override
    public Step forward(List<RotationSample> batch) {
        Tensor images = SampleTensors.images(batch.stream().map(RotationSample::image).toList(), cropShape, params.device());
        int[] labels = batch.stream().mapToInt(RotationSample::label).toArray();
        Tensor logits = logits(images);
        Tensor ce = RotationLosses.crossEntropy(logits, labels);
        LinkedHashMap<String, Tensor> losses = new LinkedHashMap<>();
        losses.put("loss_ce", ce);
        losses.put(LOSS, ce);
        return new Step(losses, Map.of("acc", RotationLosses.accuracy(logits, labels)), null);
    }

    /** The rotation logits (B, classes) of a batch of crops (B, 1, *S). */
    Tensor logits(Tensor images) {
        return head.apply(backbone.deepest(images));
    }
}
