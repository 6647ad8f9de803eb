package org.cover4j.pretrain.genesis;

import org.cover4j.augment.ModelsGenesis;
import org.cover4j.pretrain.MethodSettings;
import org.cover4j.util.CoverException;

/**
 * Models Genesis's own settings: how many blocks its local pixel shuffling moves ({@code --genesis-blocks}; the
 * official code's 10,000 by default). The other probabilities of its distortions are the official ones.
 */
public record GenesisSettings(int shuffleBlocks) implements MethodSettings {
    public static final GenesisSettings DEFAULTS = new GenesisSettings(ModelsGenesis.Settings.DEFAULT.shuffleBlocks());

    public GenesisSettings {
        if (shuffleBlocks < 0) throw CoverException.usage("--genesis-blocks must be >= 0, got " + shuffleBlocks);
    }

    /** The distortions of {@link ModelsGenesis}: the official probabilities with this block count. */
    public ModelsGenesis.Settings distortions() {
        ModelsGenesis.Settings d = ModelsGenesis.Settings.DEFAULT;
        return new ModelsGenesis.Settings(d.flipRate(), d.maxFlips(), d.localRate(), shuffleBlocks, d.nonlinearRate(), d.paintRate(),
                d.inpaintRate());
    }
}
