package org.cover4j.nn;

/**
 * How a training step trades memory for time where a backbone's pass can (the U-Net's hand-written backward, see
 * {@link BackwardChunking#of}); the gradients are the same in every mode, up to summation order.
 */
public enum MemoryMode {
    /** The backward pass one image at a time at any size, and whatever else the method can recompute (less memory). */
    LOW,
    /**
     * Whole batches of small images; from 64³ up the finest level one volume at a time and, for two to four volumes,
     * the coarser levels on all of them at once: the peak stays within a third of the reference's.
     */
    DEFAULT,
    /**
     * The backward pass on the whole batch at any size, the finest level included: its temporaries then exist for
     * every volume at once (more memory); with the default's split at 64³ it measured no faster.
     */
    FAST
}
