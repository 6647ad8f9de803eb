package org.cover4j.train;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A first-order optimizer over a model's trainable parameters, with per-parameter state tensors (Adam's moments, SGD's
 * momentum buffers) owned by this object (created outside any step scope), saved in checkpoints as
 * {@code KIND/NAME} and restored for an exact resume, coupled L2 weight decay as PyTorch's, and parameter groups
 * (a learning-rate factor per parameter). A parameter without a gradient in a step is left alone, state included.
 */
public abstract class Optimizer implements AutoCloseable {
    protected final Params params;
    protected final List<String> names;
    protected final double weightDecay;
    private final List<String> kinds;
    /** State tensors by kind, then by parameter name. */
    private final Map<String, Map<String, Tensor>> state = new LinkedHashMap<>();
    /** Per-parameter multipliers of the learning rate (absent = 1): parameter groups, e.g. a slower pre-trained backbone. */
    private final Map<String, Double> lrScale = new HashMap<>();
    protected long step;

    /** An optimizer of {@code params}' trainable parameters with zero-initialised state tensors of each of {@code kinds}. */
    protected Optimizer(Params params, double weightDecay, String... kinds) {
        this.params = params;
        this.names = params.trainableNames();
        this.weightDecay = weightDecay;
        this.kinds = List.of(kinds);
        try (NoGradGuard g = new NoGradGuard()) {
            for (String k : kinds) {
                Map<String, Tensor> m = new LinkedHashMap<>();
                for (String n : names) m.put(n, torch.zeros_like(params.get(n)));
                state.put(k, m);
            }
        }
    }

    /** A new optimizer of {@code kind} ({@code adam} or {@code sgd}) for {@code params}. */
    public static Optimizer create(String kind, Params params, double weightDecay, double momentum, boolean nesterov) {
        return switch (kind) {
            case "adam" -> new Adam(params, weightDecay);
            case "sgd" -> new Sgd(params, weightDecay, momentum, nesterov);
            default -> throw CoverException.usage("--optimizer must be adam or sgd, got " + kind);
        };
    }

    /** One update with learning rate {@code lr}; call inside a step scope (temporaries are released with it). */
    public final void step(double lr) {
        step++;
        prepare(step);
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : names) {
                Tensor p = params.get(n);
                Tensor grad = p.grad();
                if (grad == null || grad.isNull() || !grad.defined()) continue;
                Tensor decayed = weightDecay != 0 ? grad.add(p, Ops.s(weightDecay)) : grad;
                update(n, p, decayed, lr * lrScale.getOrDefault(n, 1.0));
                Ops.release(decayed == grad ? null : decayed, grad);
            }
        }
    }

    /** Called once per step before the parameters' updates, with the new step count. */
    protected void prepare(long stepCount) {}

    /** Updates parameter {@code p} from its (weight-decayed) gradient {@code g} with this parameter's learning rate. */
    protected abstract void update(String name, Tensor p, Tensor g, double lr);

    /** The optimizer's settings for the checkpoint description ({@code type}, hyper-parameters). */
    public abstract Map<String, Object> describe();

    /** State tensor {@code kind} of parameter {@code name}. */
    protected final Tensor state(String kind, String name) {
        return state.get(kind).get(name);
    }

    /** Multiplies the learning rate of the parameters {@code names} by {@code factor} (a parameter group). */
    public Optimizer scaleLr(Collection<String> names, double factor) {
        for (String n : names) {
            if (!this.names.contains(n)) throw new IllegalArgumentException("no trainable parameter " + n);
            lrScale.put(n, factor);
        }
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public long stepCount() {
        return step;
    }

    /** The state for checkpoints, keyed {@code KIND/NAME}. */
    public LinkedHashMap<String, float[]> stateArrays() {
        LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
        for (String n : names) for (String k : kinds) out.put(k + "/" + n, Tensors.toArray(state(k, n)));
        return out;
    }

    public Map<String, long[]> stateShapes() {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        for (String n : names) for (String k : kinds) out.put(k + "/" + n, params.get(n).shape());
        return out;
    }

    /** Restores the state and the step counter saved by {@link #stateArrays()}. */
    public void load(Map<String, float[]> saved, long stepCount) {
        load(saved, null, stepCount, "optimizer state");
    }

    /**
     * Restores the state and the step counter saved by {@link #stateArrays()} from {@code source} (a file, for messages),
     * checking every tensor's shape ({@code shapes}, when known) or size against its parameter first: a file from another
     * architecture or optimizer is refused naming the first tensor that does not fit, before anything is changed.
     */
    public void load(Map<String, float[]> saved, Map<String, long[]> shapes, long stepCount, String source) {
        for (String n : names) {
            long[] want = params.get(n).shape();
            for (String k : kinds) {
                String key = k + "/" + n;
                float[] v = saved.get(key);
                if (v == null) {
                    throw new CoverException(source + ": the optimizer state lacks " + key + "; it belongs to another model (another "
                            + "method, architecture or optimizer)");
                }
                long[] got = shapes != null ? shapes.get(key) : null;
                long count = 1;
                for (long d : want) count *= d;
                if ((got != null && !Arrays.equals(got, want)) || v.length != count) {
                    throw new CoverException(source + ": optimizer tensor " + key + " has " + (got != null ? "shape " + Arrays.toString(got)
                            : v.length + " values") + " but the model's parameter has " + Arrays.toString(want)
                            + "; the optimizer state belongs to another architecture");
                }
            }
        }
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : names) for (String k : kinds) copyInto(state(k, n), saved.get(k + "/" + n));
        }
        this.step = stepCount;
    }

    private static void copyInto(Tensor dst, float[] values) {
        Tensor src = Tensors.of(values, dst.device(), dst.shape());
        dst.copy_(src);
        src.close();
    }

    @Override
    public void close() {
        for (Map<String, Tensor> m : state.values()) for (Tensor t : m.values()) t.close();
    }
}
