package org.cover4j.pretrain.byol;

import org.cover4j.pretrain.MethodSettings;
import org.cover4j.util.CoverException;

/**
 * BYOL's own settings: the hidden width of its projector and predictor MLPs, the width of their output (the
 * projection), and the base decay τ_base of the target network's moving average. Defaults are the paper's.
 */
public record ByolSettings(int hidden, int dim, double ema) implements MethodSettings {
    public static final ByolSettings DEFAULTS = new ByolSettings(4096, 256, 0.996);

    public ByolSettings {
        if (hidden < 1) throw CoverException.usage("--byol-hidden must be >= 1, got " + hidden);
        if (dim < 1) throw CoverException.usage("--byol-dim must be >= 1, got " + dim);
        if (!(ema >= 0 && ema <= 1)) throw CoverException.usage("--ema must be in [0, 1], got " + ema);
    }
}
