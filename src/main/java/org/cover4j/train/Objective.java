package org.cover4j.train;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the one training loop ({@link StepLoop}) optimises: a pre-training method or a fine-tuning task. It knows
 * its batch type {@code B}, its named losses (they become the columns of {@code metrics.csv}), its sanity checks,
 * what Adam may update and what is merely saved, and what happens after each optimizer step. The loop knows
 * nothing else of it.
 */
public interface Objective<B> {
    /** The key of the loss that is minimised; every objective's {@link #lossNames()} ends with it. */
    String LOSS = "loss";

    /** Short name, shown on the progress line and recorded in checkpoints. */
    String name();

    /** Loss names in display order, ending with {@link #LOSS}: the metrics columns after {@code step}. */
    List<String> lossNames();

    /** Values watched but not minimised (e.g. a collapse monitor), metrics columns after the losses; none by default. */
    default List<String> monitorNames() {
        return List.of();
    }

    /** Everything a checkpoint saves: trainable parameters and buffers (constants, EMA targets), by state_dict name. */
    Params state();

    /** What the optimizer updates and clipping sees: the parameters of {@link #state()} by default. */
    default Params trainable() {
        return state();
    }

    /**
     * The forward pass on one batch, inside the step's native-memory scope: the named losses of {@link #lossNames()},
     * the monitored values, and a problem (null when the batch is usable) that makes the loop skip the step.
     */
    Step forward(B batch);

    /**
     * Adds the gradient of the step's {@link #LOSS} to every trainable parameter's gradient (plain autograd by
     * default; a method whose graph is cut into stages runs them here).
     */
    default void backward(Step step) {
        step.losses().get(LOSS).backward();
    }

    /** Called after each applied optimizer step {@code step} of {@code totalSteps} (e.g. an EMA target update). */
    default void afterOptimizerStep(long step, long totalSteps) {}

    /** The result of {@link #forward}. */
    record Step(LinkedHashMap<String, Tensor> losses, Map<String, Double> monitors, String problem) {
        public static Step of(LinkedHashMap<String, Tensor> losses) {
            return new Step(losses, Map.of(), null);
        }

        public Tensor loss() {
            return losses.get(LOSS);
        }
    }
}
