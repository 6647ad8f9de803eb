package org.cover4j.pretrain.simsiam;

import org.cover4j.pretrain.MethodOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** SimSiam's own options: the projection and predictor widths. */
public final class SimSiamOptions implements MethodOptions {
    @Option(names = "--simsiam-dim", paramLabel = "N", description = "Width of the projector's layers and output (default: ${DEFAULT-VALUE}).")
    public int dim = SimSiamSettings.DEFAULTS.dim();

    @Option(names = "--simsiam-hidden", paramLabel = "N", description = "The predictor's bottleneck width (default: ${DEFAULT-VALUE}).")
    public int hidden = SimSiamSettings.DEFAULTS.hidden();

    @Override
    public String heading() {
        return "SimSiam options (--method simsiam; Adam at --lr by default like every method; the original optimizer: "
                + "--optimizer sgd --lr 0.05×batch/256 --momentum 0.9 --weight-decay 1e-4 --schedule cosine)";
    }

    @Override
    public List<String> methods() {
        return List.of("simsiam");
    }
}
