package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;

import java.util.List;

/** One training pass through a {@link Backbone}: its five levels, and the backward pass from their gradients. */
public interface BackbonePass {
    /** The five levels, finest first, for the whole batch. */
    List<Tensor> levels();

    /**
     * Adds the parameters' gradients given the levels' gradients per part of the batch: {@code grads.get(p)} holds the
     * five level gradients (undefined or {@code null} for none) of the {@code parts[p]} images after those of the parts
     * before it. Releases the gradients, the levels and what the forward pass kept.
     */
    void backward(List<List<Tensor>> grads, long... parts);
}
