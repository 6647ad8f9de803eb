package org.cover4j.pretrain.genesis;

import org.cover4j.pretrain.MethodOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** Models Genesis's own options. */
public final class GenesisOptions implements MethodOptions {
    @Option(names = "--genesis-blocks", paramLabel = "N",
            description = "Blocks moved by the local pixel shuffling of the distorted input (default: ${DEFAULT-VALUE}, the official code's).")
    public int blocks = GenesisSettings.DEFAULTS.shuffleBlocks();

    @Override
    public String heading() {
        // The optimizer is the common one (--lr, Adam) so that methods are compared under the same training.
        return "Models Genesis options (--method genesis; Adam at --lr by default like every method; the original optimizer: "
                + "--optimizer sgd --lr 1 --momentum 0.9 --weight-decay 0)";
    }

    @Override
    public List<String> methods() {
        return List.of(GenesisMethod.NAME);
    }
}
