package org.cover4j.pretrain.cover;

import org.cover4j.pretrain.MethodOptions;
import picocli.CommandLine.Option;

import java.util.List;

/** COVER's own options: the MoV heads and window. */
public final class CoverOptions implements MethodOptions {
    @Option(names = "--heads", paramLabel = "H,...", split = ",", description = "MoV heads per level, coarsest first (default: 4,4,4,1,1).")
    public int[] heads;

    @Option(names = "--head-dim", paramLabel = "D", description = "Channels per MoV head (default: ${DEFAULT-VALUE}).")
    public int headDim = 8;

    @Option(names = "--amp", paramLabel = "A", description = "MoV window half-width: (2A+1)^dim neighbours (default: ${DEFAULT-VALUE}).")
    public int amp = 2;

    @Override
    public String heading() {
        return "COVER options (--method cover)";
    }

    @Override
    public List<String> methods() {
        return List.of("cover");
    }
}
