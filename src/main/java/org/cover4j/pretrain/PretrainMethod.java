package org.cover4j.pretrain;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;

import java.util.LinkedHashMap;

/**
 * A self-supervised pre-training method: its parameters and the losses it computes on a batch of views.
 * Methods are small (views + heads + loss, as in lightly); the training loop, optimizer, checkpoints and
 * logging are shared and know nothing of any method.
 */
public interface PretrainMethod {
    /** Short name recorded in checkpoints ({@code cover}, ...). */
    String name();

    /** All parameters and buffers, keyed by the reference state_dict names. */
    Params params();

    /**
     * The named losses for one batch, in display order; the entry {@code "loss"} is what is minimised.
     * Called inside a step scope.
     */
    LinkedHashMap<String, Tensor> losses(ViewBatch batch);

    /**
     * Adds the gradient of {@code losses.get("loss")} (from the last {@link #losses} call) to every parameter's
     * gradient. A method whose graph is cut into stages runs them here; plain autograd otherwise.
     */
    default void backward(LinkedHashMap<String, Tensor> losses) {
        losses.get("loss").backward();
    }

    /**
     * Trade time for memory where the method can (COVER: its U-Net's backward pass one image at a time at any size,
     * and freed memory returned to the system before a step's peaks; README, Speed and memory): the same gradients.
     * Methods that cannot ignore it. Off unless asked for.
     */
    default void recomputeActivations(boolean on) {}
}
