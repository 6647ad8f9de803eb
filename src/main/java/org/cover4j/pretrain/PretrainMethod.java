package org.cover4j.pretrain;

import org.cover4j.train.Objective;
import org.cover4j.util.Rng;

import java.util.List;

/**
 * A self-supervised pre-training method: its own sample type {@code S} (a COVER view pair, a distorted image and
 * its original, two crops, ...), made on loader threads by {@link #sample}, and an {@link Objective} on batches of
 * them. Methods are small (views + heads + loss, as in lightly); the training loop, optimizer, checkpoints and
 * logging are shared and know nothing of any method. Every method registers its backbone's tensors under
 * {@code backbone.*}, so that {@code finetune --init} takes any method's checkpoint.
 */
public interface PretrainMethod<S> extends Objective<List<S>> {
    /** The prefix of the backbone's tensors in every method's state dict. */
    String BACKBONE = "backbone.";

    /**
     * One training sample from a prepared image or volume (C-order, one channel, the loader's size on every axis) and
     * the sample's own generator. Called on loader threads: it must not touch the method's tensors.
     */
    S sample(float[] image, Rng rng);

    /**
     * Whether the method trains the backbone's decoder: dense methods (COVER, pixel-wise CL, Models Genesis) do; methods on
     * the encoder's deepest features (rotation, BYOL, SimSiam) leave the decoder as initialised. The test that every
     * trainable parameter learns holds each method to what it says here.
     */
    default boolean trainsDecoder() {
        return true;
    }

    /** What the checkpoint records as {@code model} (the architecture beyond the backbone); none by default. */
    default Object modelDescription() {
        return null;
    }

    /**
     * Trade time for memory, or memory for time, where the method can (COVER: its U-Net's backward pass one image at a
     * time at any size and freed memory returned to the system before a step's peaks, or the backward pass on the
     * whole batch; README, Speed and memory): the same gradients. Methods that cannot ignore it. {@code DEFAULT} unless
     * asked for.
     */
    default void memoryMode(org.cover4j.nn.MemoryMode mode) {}
}
