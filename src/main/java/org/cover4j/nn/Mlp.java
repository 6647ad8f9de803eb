package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Ops;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A projection or prediction head on (N, C) vectors: an {@code nn.Sequential} of {@link Linear}, {@link BatchNorm}
 * and ReLU layers, named as PyTorch names a Sequential's children ({@code NAME.0}, {@code NAME.1}, ...; ReLU takes an
 * index but holds no tensor), so that its state_dict names match a PyTorch head of the same layout. Built layer by
 * layer; the linear layers draw their weights from one generator in order.
 */
public final class Mlp {
    private final List<UnaryOperator<Tensor>> layers;

    private Mlp(List<UnaryOperator<Tensor>> layers) {
        this.layers = List.copyOf(layers);
    }

    public static Builder builder(Params params, String name, Rng rng) {
        return new Builder(params, name, rng);
    }

    public Tensor apply(Tensor x) {
        Tensor y = x;
        for (UnaryOperator<Tensor> layer : layers) {
            Tensor next = layer.apply(y);
            // Each input wrapper is read by nothing more (autograd keeps what backward needs); not the caller's x.
            if (y != x) Ops.release(y);
            y = next;
        }
        return y;
    }

    public static final class Builder {
        private final Params params;
        private final String name;
        private final Rng rng;
        private final List<UnaryOperator<Tensor>> layers = new ArrayList<>();

        private Builder(Params params, String name, Rng rng) {
            this.params = params;
            this.name = name;
            this.rng = rng;
        }

        private String next() {
            return name + "." + layers.size();
        }

        public Builder linear(int in, int out, boolean bias) {
            Linear l = new Linear(params, next(), in, out, bias, rng);
            layers.add(l::apply);
            return this;
        }

        public Builder batchNorm(int features, boolean affine) {
            BatchNorm bn = new BatchNorm(params, next(), features, affine);
            layers.add(bn::apply);
            return this;
        }

        public Builder relu() {
            layers.add(Ops::relu);
            return this;
        }

        public Mlp build() {
            return new Mlp(layers);
        }
    }
}
