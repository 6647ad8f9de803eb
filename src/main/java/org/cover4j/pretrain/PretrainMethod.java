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
     * Keep fewer activations during a step and recompute them in the backward pass where the method can: less
     * memory for more arithmetic, the same gradients. Methods that cannot ignore it. Off unless asked for: on 3D 64³
     * (README, Speed and memory) it lowers the peak RSS from 3.1 to 2.4 GiB for 30% more time.
     */
    default void recomputeActivations(boolean on) {}
}
