package org.cover4j.pretrain.genesis;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.augment.ModelsGenesis;
import org.cover4j.augment.RandomCrop;
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

/**
 * Models Genesis (Zhou et al., MedIA 2021) as a pre-training method: a random crop is distorted ({@link ModelsGenesis}:
 * flips of both, then on the input local pixel shuffling, a non-linear intensity map, in- or out-painting) and the whole
 * U-Net with a 1×1 convolution and a sigmoid ({@link RestorationHead}) restores the clean crop; loss = mean squared error.
 */
public final class GenesisMethod extends MethodBase<ModelsGenesis.Pair> {
    static final String NAME = "genesis";
    public static final Methods.Entry ENTRY = new Methods.Entry(NAME,
            "Models Genesis (Zhou et al., MedIA 2021): the U-Net restores a crop distorted by local pixel shuffling, a non-linear"
                    + " intensity map and in-/out-painting (mean squared error)",
            GenesisSettings.class, GenesisSettings.DEFAULTS, GenesisMethod::settings, GenesisMethod::create);
    private static final List<String> LOSSES = List.of("loss_mse", LOSS);

    private final Params params;
    private final Backbone backbone;
    private final RestorationHead head;
    private final int[] loaderShape;
    private final int[] cropShape;
    private final ModelsGenesis.Settings distortions;

    /**
     * The model: {@code config}'s backbone (as every method's, {@link Methods#backbone}) and the head, for crops of
     * {@code config}'s size.
     */
    public GenesisMethod(PretrainConfig config, Device device) {
        super(NAME, LOSSES, List.of());
        PretrainSettings common = config.common();
        int dims = common.dims();
        this.params = new Params(device);
        this.backbone = Methods.backbone(config, params);
        this.head = new RestorationHead(params, dims, backbone.levelChannels()[0], Methods.headRng(common.seed()));
        this.loaderShape = SampleTensors.cube(dims, common.loaderSize());
        this.cropShape = SampleTensors.cube(dims, common.size());
        this.distortions = ((GenesisSettings) config.method()).distortions();
    }

    private static GenesisSettings settings(PretrainSettings common, MethodOptions.Values o) {
        return new GenesisSettings(o.get(GenesisOptions.class).blocks);
    }

    private static GenesisMethod create(PretrainConfig config, Device device) {
        return new GenesisMethod(config, device);
    }

    @Override
    public Params state() {
        return params;
    }

    /** A random crop of the network's size, then its distortion (as the official code distorts its stored cubes). */
    @Override
    public ModelsGenesis.Pair sample(float[] image, Rng rng) {
        float[] crop = RandomCrop.make(image, 1, loaderShape, cropShape[0], rng);
        return ModelsGenesis.make(crop, cropShape, distortions, rng);
    }

    @Override
    public Step forward(List<ModelsGenesis.Pair> batch) {
        Device device = params.device();
        Tensor input = SampleTensors.images(batch.stream().map(ModelsGenesis.Pair::input).toList(), cropShape, device);
        Tensor target = SampleTensors.images(batch.stream().map(ModelsGenesis.Pair::target).toList(), cropShape, device);
        Tensor mse = restorationLoss(restore(input), target);
        LinkedHashMap<String, Tensor> losses = new LinkedHashMap<>();
        losses.put("loss_mse", mse);
        losses.put(LOSS, mse);
        return Step.of(losses);
    }

    /** The restored image (B, 1, *S) of a distorted input (B, 1, *S). */
    Tensor restore(Tensor input) {
        return head.apply(backbone.levels(input).get(0));
    }

    /** The mean squared error over every voxel of the batch (the official {@code nn.MSELoss()}). */
    static Tensor restorationLoss(Tensor restored, Tensor target) {
        return torch.mse_loss(restored, target);
    }
}
