package org.cover4j.pretrain.pixcl;

import org.cover4j.pretrain.MethodSettings;
import org.cover4j.pretrain.cover.CoverSettings;
import org.cover4j.util.CoverException;

/**
 * Binary pixel-wise contrastive learning's settings: COVER's view options ({@code degree}, {@code appearance}, with
 * COVER's defaults, so that the two methods train on the same view pairs), the number of anchors and of negatives
 * drawn per image and level ({@code negatives}), the InfoNCE temperature ({@code tau}) and the projection width
 * ({@code dim}).
 */
public record PixclSettings(double degree, String appearance, int negatives, double tau, int dim) implements MethodSettings {
    public static final PixclSettings DEFAULTS = new PixclSettings(CoverSettings.DEFAULTS.degree(), CoverSettings.DEFAULTS.appearance(),
            2048, 0.2, 32);

    public PixclSettings {
        CoverSettings.checkViews(degree, appearance);
        if (negatives < 1) throw CoverException.usage("--negatives must be >= 1, got " + negatives);
        if (!(tau > 0) || Double.isInfinite(tau)) throw CoverException.usage("--tau must be a finite number > 0, got " + tau);
        if (dim < 1) throw CoverException.usage("--pixcl-dim must be >= 1, got " + dim);
    }
}
