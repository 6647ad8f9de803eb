package org.cover4j.nn;

/**
 * How a training step trades memory for time where a backbone's pass can (the U-Net's hand-written backward, see
 * {@link BackwardChunking#of}); the gradients are the same in every mode, up to summation order.
 */
public enum MemoryMode {
    /** The backward pass one image at a time at any size, and whatever else the method can recompute (less memory). */
    LOW,
    /** Whole batches of small images, one volume at a time from 64³ up: the peak stays within a third of the reference's. */
    DEFAULT,
    /**
     * The backward pass on the whole batch at any size: the deep, small levels (8³, 4³) run on two volumes at once,
     * which their convolutions use better, at the price of the full-resolution block's temporaries for every volume.
     */
    FAST
}
