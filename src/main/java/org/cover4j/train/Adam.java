package org.cover4j.train;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with coupled L2 weight decay, exactly PyTorch's single-tensor {@code torch.optim.Adam}
 * (SPEC §9: {@code g' = g + wd·θ}, bias-corrected moments, {@code eps} added after the square root).
 * Its moments are tensors owned by this object (created outside any step scope) and can be saved and
 * restored for resume.
 */
public final class Adam implements AutoCloseable {
    private final Params params;
    private final List<String> names;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Tensor> expAvg = new LinkedHashMap<>();
    private final Map<String, Tensor> expAvgSq = new LinkedHashMap<>();
    /** Per-parameter multipliers of the learning rate (absent = 1): parameter groups, e.g. a slower pre-trained backbone. */
    private final Map<String, Double> lrScale = new java.util.HashMap<>();
    private long step;

    public Adam(Params params, double weightDecay) {
        this(params, 0.9, 0.999, 1e-8, weightDecay);
    }

    public Adam(Params params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = params;
        this.names = params.trainableNames();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : names) {
                Tensor p = params.get(n);
                expAvg.put(n, torch.zeros_like(p));
                expAvgSq.put(n, torch.zeros_like(p));
            }
        }
    }

    /** Multiplies the learning rate of the parameters {@code names} by {@code factor} (a parameter group). */
    public Adam scaleLr(java.util.Collection<String> names, double factor) {
        for (String n : names) {
            if (!expAvg.containsKey(n)) throw new IllegalArgumentException("no trainable parameter " + n);
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

    /** One update with learning rate {@code lr}; call inside a step scope (temporaries are released with it). */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        double baseStepSize = lr / bc1;
        try (NoGradGuard g = new NoGradGuard()) {
            for (String n : names) {
                Tensor p = params.get(n);
                Tensor grad = p.grad();
                if (grad == null || grad.isNull() || !grad.defined()) continue;
                double stepSize = baseStepSize * lrScale.getOrDefault(n, 1.0);
                Tensor decayed = weightDecay != 0 ? grad.add(p, Ops.s(weightDecay)) : grad;
                Tensor m = expAvg.get(n);
                Tensor v = expAvgSq.get(n);
                m.mul_(Ops.s(beta1)).add_(decayed, Ops.s(1 - beta1));
                v.mul_(Ops.s(beta2)).addcmul_(decayed, decayed, Ops.s(1 - beta2));
                // One temporary per parameter, released at once (the same operations in place: the same values).
                Tensor denom = v.sqrt();
                denom.div_(Ops.s(bc2Sqrt)).add_(Ops.s(eps));
                p.addcdiv_(m, denom, Ops.s(-stepSize));
                Ops.release(denom, decayed == grad ? null : decayed, grad);
            }
        }
    }

    /** Moments for checkpoints, keyed {@code exp_avg/NAME} and {@code exp_avg_sq/NAME}. */
    public LinkedHashMap<String, float[]> stateArrays() {
        LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put("exp_avg/" + n, Tensors.toArray(expAvg.get(n)));
            out.put("exp_avg_sq/" + n, Tensors.toArray(expAvgSq.get(n)));
        }
        return out;
    }

    public Map<String, long[]> stateShapes() {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put("exp_avg/" + n, params.get(n).shape());
            out.put("exp_avg_sq/" + n, params.get(n).shape());
        }
        return out;
    }

    /** Restores moments and the step counter saved by {@link #stateArrays()}. */
    public void load(Map<String, float[]> state, long stepCount) {
        load(state, null, stepCount, "optimizer state");
    }

    /**
     * Restores moments and the step counter saved by {@link #stateArrays()} from {@code source} (a file, for messages),
     * checking every moment's shape ({@code shapes}, when known) or size against its parameter first: a file from another
     * architecture is refused naming the first tensor that does not fit, before anything is changed.
     */
    public void load(Map<String, float[]> state, Map<String, long[]> shapes, long stepCount, String source) {
        for (String n : names) {
            long[] want = params.get(n).shape();
            for (String key : new String[] {"exp_avg/" + n, "exp_avg_sq/" + n}) {
                float[] v = state.get(key);
                if (v == null) {
                    throw new CoverException(source + ": the optimizer state lacks " + key + "; it belongs to another model (another "
                            + "method or architecture)");
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
            for (String n : names) {
                copyInto(expAvg.get(n), state.get("exp_avg/" + n));
                copyInto(expAvgSq.get(n), state.get("exp_avg_sq/" + n));
            }
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
        for (Tensor t : expAvg.values()) t.close();
        for (Tensor t : expAvgSq.values()) t.close();
    }
}
