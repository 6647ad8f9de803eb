package org.cover4j.pretrain.pixcl;

import org.cover4j.augment.ViewPair;

/**
 * One training sample of binary pixel-wise contrastive learning: COVER's view pair, and per decoder level (finest
 * first) the anchors and the negatives drawn for it, as C-order indices into that level's grid. The draws are made
 * on the loader thread from the sample's own generator ({@link PixelDraws}), so a resumed run sees the same pixels.
 */
public record PixclSample(ViewPair pair, int[][] anchors, int[][] negatives) {}
