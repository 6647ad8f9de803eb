package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The default {@link BackbonePass}: the backbone's forward pass recorded by autograd, its levels handed out as
 * detached copies (leaves of the caller's graph), and the backward pass one {@code autograd.backward} from the
 * levels with their gradients joined over the batch parts. Any backbone whose forward pass is plain libtorch
 * operations trains through it; nothing is detached on the way to the parameters.
 */
final class AutogradPass implements BackbonePass {
    private final List<Tensor> outputs;
    private final List<Tensor> levels = new ArrayList<>();

    private AutogradPass(List<Tensor> outputs) {
        this.outputs = outputs;
        for (Tensor t : outputs) levels.add(t.detach());
    }

    static AutogradPass run(Backbone backbone, Tensor images) {
        return new AutogradPass(backbone.levels(images));
    }

    @Override
    public List<Tensor> levels() {
        return levels;
    }

    @Override
    public void backward(List<List<Tensor>> grads, long... parts) {
        if (grads.size() != parts.length) throw new IllegalArgumentException("need gradients for " + parts.length + " parts, got " + grads.size());
        List<Tensor> outs = new ArrayList<>();
        List<Tensor> joined = new ArrayList<>();
        for (int level = 0; level < outputs.size(); level++) {
            Tensor out = outputs.get(level);
            Tensor[] pieces = new Tensor[parts.length];
            boolean any = false;
            long start = 0;
            for (int p = 0; p < parts.length; p++) {
                Tensor g = grads.get(p).get(level);
                boolean defined = g != null && g.defined();
                any |= defined;
                pieces[p] = defined ? g : Ops.zeros(out, out.narrow(0, start, parts[p]).shape());
                start += parts[p];
            }
            if (!any) continue; // a level no loss reached adds nothing
            outs.add(out);
            joined.add(pieces.length == 1 ? pieces[0] : Ops.cat(0, pieces));
        }
        if (!outs.isEmpty()) Autograd.backward(outs, joined);
        Ops.release(joined.toArray(new Tensor[0]));
        for (List<Tensor> part : grads) {
            for (Tensor g : part) if (g != null) Ops.release(g);
        }
        Ops.release(levels.toArray(new Tensor[0]));
        Ops.release(outputs.toArray(new Tensor[0]));
    }
}
