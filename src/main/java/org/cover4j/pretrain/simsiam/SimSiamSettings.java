package org.cover4j.pretrain.simsiam;

import org.cover4j.pretrain.MethodSettings;
import org.cover4j.util.CoverException;

/** SimSiam's own settings: the projection width and the predictor's bottleneck width. Defaults are the paper's. */
public record SimSiamSettings(int dim, int hidden) implements MethodSettings {
    public static final SimSiamSettings DEFAULTS = new SimSiamSettings(2048, 512);

    public SimSiamSettings {
        if (dim < 1) throw CoverException.usage("--simsiam-dim must be >= 1, got " + dim);
        if (hidden < 1) throw CoverException.usage("--simsiam-hidden must be >= 1, got " + hidden);
    }
}
