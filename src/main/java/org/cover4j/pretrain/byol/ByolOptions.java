package org.cover4j.pretrain.byol;

import org.cover4j.pretrain.MethodOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** BYOL's own options: the MLP widths and the target network's moving-average decay. */
public final class ByolOptions implements MethodOptions {
    @Option(names = "--byol-hidden", paramLabel = "N", description = "Hidden width of the projector and predictor MLPs (default: ${DEFAULT-VALUE}).")
    public int hidden = ByolSettings.DEFAULTS.hidden();

    @Option(names = "--byol-dim", paramLabel = "N", description = "Projection width, the MLPs' output (default: ${DEFAULT-VALUE}).")
    public int dim = ByolSettings.DEFAULTS.dim();

    @Option(names = "--ema", paramLabel = "TAU", description = "Base decay of the target network's moving average, raised to 1 "
            + "over the run by a cosine schedule (default: ${DEFAULT-VALUE}).")
    public double ema = ByolSettings.DEFAULTS.ema();

    @Override
    public String heading() {
        return "BYOL options (--method byol; Adam at --lr by default like every method; the paper's LARS is not offered)";
    }

    @Override
    public List<String> methods() {
        return List.of("byol");
    }
}
