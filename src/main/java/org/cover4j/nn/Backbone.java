package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;

import java.util.List;

/**
 * A feature extractor exposing five feature levels, finest first (full resolution, then 1/2, 1/4, 1/8,
 * 1/16), so that any pre-training method or downstream head can run on any backbone.
 */
public interface Backbone {
    /** The five levels for input {@code x} (B, C, *S), finest first. */
    List<Tensor> levels(Tensor x);

    /** Channels of each level, finest first. */
    int[] levelChannels();

    /** Spatial dimensionality (2 or 3). */
    int dims();
}
