package org.cover4j.train;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SGD with momentum, exactly PyTorch's {@code torch.optim.SGD} without dampening: {@code g' = g + wd·θ},
 * {@code b = μ·b + g'} (the buffer starts at zero, which equals PyTorch's first-step copy of {@code g'}), then
 * {@code θ -= lr·(g' + μ·b)} with Nesterov or {@code θ -= lr·b} without; plain SGD when {@code μ = 0}. The original
 * optimizer of Models Genesis, SimSiam and rotation prediction (see each method's page); buffers are saved as
 * {@code momentum_buffer/NAME}.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    public Sgd(Params params, double weightDecay, double momentum, boolean nesterov) {
        super(params, weightDecay, "momentum_buffer");
        if (!(momentum >= 0 && momentum < 1)) throw org.cover4j.util.CoverException.usage("--momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw org.cover4j.util.CoverException.usage("--nesterov needs a --momentum above 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override
    protected void update(String name, Tensor p, Tensor g, double lr) {
        if (momentum == 0) {
            p.add_(g, Ops.s(-lr));
            return;
        }
        Tensor b = state("momentum_buffer", name);
        b.mul_(Ops.s(momentum)).add_(g);
        if (nesterov) {
            Tensor d = g.add(b, Ops.s(momentum));
            p.add_(d, Ops.s(-lr));
            Ops.release(d);
        } else {
            p.add_(b, Ops.s(-lr));
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", "sgd");
        opt.put("momentum", momentum);
        opt.put("nesterov", nesterov);
        opt.put("dampening", 0.0);
        opt.put("weight_decay", weightDecay);
        opt.put("weight_decay_style", "coupled L2 (torch.optim.SGD)");
        return opt;
    }
}
