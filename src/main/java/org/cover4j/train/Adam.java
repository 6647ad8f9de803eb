package org.cover4j.train;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.Params;
import org.cover4j.torch.Ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with coupled L2 weight decay, exactly PyTorch's single-tensor {@code torch.optim.Adam}
 * (SPEC §9: {@code g' = g + wd·θ}, bias-corrected moments, {@code eps} added after the square root); its moments are
 * saved as {@code exp_avg/NAME} and {@code exp_avg_sq/NAME}.
 */
public final class Adam extends Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private double bc1;
    private double bc2Sqrt;

    public Adam(Params params, double weightDecay) {
        this(params, 0.9, 0.999, 1e-8, weightDecay);
    }

    public Adam(Params params, double beta1, double beta2, double eps, double weightDecay) {
        super(params, weightDecay, "exp_avg", "exp_avg_sq");
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    protected void prepare(long stepCount) {
        bc1 = 1 - Math.pow(beta1, stepCount);
        bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, stepCount));
    }

    @Override
    protected void update(String name, Tensor p, Tensor g, double lr) {
        Tensor m = state("exp_avg", name);
        Tensor v = state("exp_avg_sq", name);
        m.mul_(Ops.s(beta1)).add_(g, Ops.s(1 - beta1));
        v.mul_(Ops.s(beta2)).addcmul_(g, g, Ops.s(1 - beta2));
        // One temporary per parameter, released at once (the same operations in place: the same values).
        Tensor denom = v.sqrt();
        denom.div_(Ops.s(bc2Sqrt)).add_(Ops.s(eps));
        p.addcdiv_(m, denom, Ops.s(-(lr / bc1)));
        Ops.release(denom);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("type", "adam");
        opt.put("betas", new double[] {beta1, beta2});
        opt.put("eps", eps);
        opt.put("weight_decay", weightDecay);
        opt.put("weight_decay_style", "coupled L2 (torch.optim.Adam)");
        return opt;
    }
}
