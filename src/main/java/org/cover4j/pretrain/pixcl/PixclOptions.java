package org.cover4j.pretrain.pixcl;

import org.cover4j.pretrain.MethodOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** The options of binary pixel-wise contrastive learning (its views take COVER's view options). */
public final class PixclOptions implements MethodOptions {
    @Option(names = "--negatives", paramLabel = "N",
            description = "Anchors, and negatives for them, drawn per image and level among the pixels with a correspondence (default: ${DEFAULT-VALUE}).")
    public int negatives = PixclSettings.DEFAULTS.negatives();

    @Option(names = "--tau", paramLabel = "T", description = "InfoNCE temperature (default: ${DEFAULT-VALUE}).")
    public double tau = PixclSettings.DEFAULTS.tau();

    @Option(names = "--pixcl-dim", paramLabel = "D", description = "Channels of each level's projection (default: ${DEFAULT-VALUE}).")
    public int dim = PixclSettings.DEFAULTS.dim();

    @Override
    public String heading() {
        return "Binary pixel-wise contrastive learning options (--method pixcl)";
    }

    @Override
    public List<String> methods() {
        return List.of("pixcl");
    }
}
