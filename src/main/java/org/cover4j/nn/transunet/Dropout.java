package org.cover4j.nn.transunet;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;

/**
 * {@code nn.Dropout(p)} in training mode with masks drawn from the project's seeded generator instead of libtorch's
 * global one: each element is kept with probability 1 − p and scaled by 1/(1 − p). The network owns one stream, so a
 * run is reproducible from its seed; a resumed run continues with a fresh stream (the stream's position is not part of
 * a checkpoint).
 */
final class Dropout {
    private final Rng rng;

    Dropout(Rng rng) {
        this.rng = rng;
    }

    /** {@code x} itself when {@code p} is 0 or not training; otherwise the masked, rescaled copy. */
    Tensor apply(Tensor x, double p, boolean training) {
        if (!training || p == 0) return x;
        float keep = (float) (1 - p);
        float[] mask = new float[Math.toIntExact(x.numel())];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < keep ? 1f / keep : 0f;
        Tensor m = Tensors.of(mask, x.device(), x.shape());
        Tensor typed = m.to(x.scalar_type());
        Tensor y = x.mul(typed);
        m.close();
        if (typed != m) typed.close();
        return y;
    }
}
