package org.cover4j.augment;

/**
 * Which appearance transform to use for the moving view: the paper's or the released code's
 * (DESIGN.md, "Where the paper and the reference code disagree"). See {@link AppearanceTransform}.
 */
public enum AppearanceMode {
    /**
     * The paper (supplementary B.1): each of the five operations is applied independently with probability
     * 0.9, and the blur actually blurs (σ ~ U(0.1, 1.0) px). The default.
     */
    PAPER,
    /**
     * The released code: all five operations always, blur σ ~ U(0, 0.05) px — a kernel of radius 0, i.e. an
     * exact no-op that still consumes its random draw.
     */
    REFERENCE;

    /** The mode used when none is chosen. */
    public static final AppearanceMode DEFAULT = PAPER;
}
