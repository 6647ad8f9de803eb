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
        return "SimSiam options (--method simsiam; trained with Adam at --lr like every method here, not the paper's SGD)";
    }

    @Override
    public List<String> methods() {
        return List.of("simsiam");
    }
}
