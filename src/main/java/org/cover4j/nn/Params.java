package org.cover4j.nn;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Tensors;
import org.cover4j.util.CoverException;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model's named tensors in state_dict order: trainable parameters and constant buffers, keyed by the
 * reference PyTorch model's {@code state_dict} names so that weights move both ways unchanged.
 * Created once, outside any step scope; they live as long as the model.
 */
public final class Params {
    private final LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    private final java.util.Set<String> buffers = new java.util.HashSet<>();
    private final Device device;

    public Params(Device device) {
        this.device = device;
    }

    public Device device() {
        return device;
    }

    /** Adds a trainable parameter initialised from {@code values}. */
    public Tensor add(String name, float[] values, long... shape) {
        // Convolution kernels are kept channels-last, the layout oneDNN computes in (see Ops.channelsLast).
        Tensor t = Ops.channelsLast(Tensors.of(values, device, shape));
        t.set_requires_grad(true);
        put(name, t);
        return t;
    }

    /** Adds a constant buffer (saved and loaded, never trained), e.g. MoV's template grid. */
    public Tensor addBuffer(String name, float[] values, long... shape) {
        Tensor t = Tensors.of(values, device, shape);
        put(name, t);
        buffers.add(name);
        return t;
    }

    private void put(String name, Tensor t) {
        if (tensors.containsKey(name)) throw new IllegalStateException("duplicate parameter " + name);
        tensors.put(name, t);
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalStateException("no parameter named " + name);
        return t;
    }

    /**
     * A model made of the tensors of {@code parts} (the same tensors, not copies), in order, keeping each one's
     * parameter or buffer role: e.g. a backbone and a head trained together, or a method's online network and its
     * EMA target (frozen, see {@link #freeze}).
     */
    public static Params union(Params... parts) {
        Params all = new Params(parts[0].device);
        for (Params p : parts) {
            for (Map.Entry<String, Tensor> e : p.tensors.entrySet()) {
                all.put(e.getKey(), e.getValue());
                if (p.buffers.contains(e.getKey())) all.buffers.add(e.getKey());
            }
        }
        return all;
    }

    /**
     * Makes every tensor a buffer that autograd does not track: state that is saved and loaded but never given to an
     * optimizer (an EMA target network). Returns this.
     */
    public Params freeze() {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            e.getValue().set_requires_grad(false);
            buffers.add(e.getKey());
        }
        return this;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    /** All names (parameters and buffers) in state_dict order. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** Trainable parameter names in registration order (the reference's {@code model.parameters()} order). */
    public List<String> trainableNames() {
        return tensors.keySet().stream().filter(n -> !buffers.contains(n)).collect(Collectors.toList());
    }

    public boolean isBuffer(String name) {
        return buffers.contains(name);
    }

    public long[] shape(String name) {
        return get(name).shape();
    }

    /** Number of trainable scalars. */
    public long count() {
        long n = 0;
        for (String k : trainableNames()) n += get(k).numel();
        return n;
    }

    /** A copy of every tensor's values, for checkpoints. */
    public LinkedHashMap<String, float[]> toArrays() {
        LinkedHashMap<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) out.put(e.getKey(), Tensors.toArray(e.getValue()));
        return out;
    }

    public Map<String, long[]> shapes() {
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) out.put(e.getKey(), e.getValue().shape());
        return Collections.unmodifiableMap(out);
    }

    /**
     * Overwrites values from a state dict, requiring exactly the same names and shapes ("strict" loading).
     * Every mismatch is listed in one message naming {@code source}.
     */
    public void load(Map<String, float[]> values, Map<String, long[]> shapes, String source) {
        load(values, shapes, source, true);
    }

    /** As {@link #load(Map, Map, String)}; with {@code strict=false} names absent from the source keep their values. */
    public void load(Map<String, float[]> values, Map<String, long[]> shapes, String source, boolean strict) {
        StringBuilder problems = new StringBuilder();
        for (String name : tensors.keySet()) {
            if (!values.containsKey(name)) {
                if (strict) problems.append("; missing ").append(name);
                continue;
            }
            long[] want = get(name).shape();
            long[] got = shapes.get(name);
            if (!Arrays.equals(want, got)) {
                problems.append("; ").append(name).append(" has shape ").append(Arrays.toString(got))
                        .append(", expected ").append(Arrays.toString(want));
            }
        }
        if (strict) {
            for (String name : values.keySet()) {
                if (!tensors.containsKey(name)) problems.append("; unexpected ").append(name);
            }
        }
        if (problems.length() > 0) {
            String msg = problems.substring(2);
            if (msg.length() > 600) msg = msg.substring(0, 600) + " ...";
            throw new CoverException(source + ": does not fit this model (" + msg + ")");
        }
        try (NoGradGuard g = new NoGradGuard()) {
            for (String name : tensors.keySet()) {
                if (!values.containsKey(name)) continue;
                Tensor src = Tensors.of(values.get(name), device, get(name).shape());
                get(name).copy_(src);
                src.close();
            }
        }
    }
}
