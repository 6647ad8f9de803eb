package org.cover4j.torch;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * Backward passes over parts of a graph, for steps whose backward runs in stages (hand-written gradients,
 * recomputed blocks): {@code torch.autograd.backward(outputs, grads)} and gradient sums that treat a missing
 * gradient as zero.
 */
public final class Autograd {
    private Autograd() {}

    /**
     * Adds d(Σ outputs·grads)/d(leaf) to every leaf's gradient. Outputs without a gradient ({@code null} or
     * undefined) or outside autograd are skipped. The graph is not retained: each part is traversed once.
     */
    public static void backward(List<Tensor> outputs, List<Tensor> grads) {
        if (outputs.size() != grads.size()) throw new IllegalArgumentException(outputs.size() + " outputs, " + grads.size() + " gradients");
        TensorVector out = new TensorVector();
        TensorVector grad = new TensorVector();
        for (int i = 0; i < outputs.size(); i++) {
            Tensor g = grads.get(i);
            if (g == null || !g.defined() || !outputs.get(i).requires_grad()) continue;
            out.push_back(outputs.get(i));
            grad.push_back(g);
        }
        if (out.size() > 0) torch.backward(out, grad, new BoolOptional(false), false, new TensorVector());
        out.close();
        grad.close();
    }

    /**
     * A new leaf holding {@code t}'s values (no copy) where a staged backward pass cuts the graph: it gathers the
     * gradient that the stage after it sends back. Outside grad mode it is a plain detached tensor.
     */
    public static Tensor leaf(Tensor t) {
        Tensor leaf = t.detach();
        if (GradMode.is_enabled()) leaf.requires_grad_(true);
        return leaf;
    }

    /**
     * The gradient gathered on {@code leaf}, taken from it: the leaf no longer holds it, so releasing the result frees
     * it. Undefined when the leaf got none.
     */
    public static Tensor takeGrad(Tensor leaf) {
        // grad() is a reference to the slot that is cleared below: copy the handle first.
        Tensor g = new Tensor(leaf.grad());
        if (g.defined()) {
            try (Tensor none = new Tensor()) {
                leaf.mutable_grad().put(none);
            }
        }
        return g;
    }

    /** Adds {@code g} to the gradient of {@code t} (which takes {@code g} itself when it has none yet). */
    public static void accumulateGrad(Tensor t, Tensor g) {
        Tensor grad = t.grad();
        if (grad.defined()) {
            grad.add_(g);
        } else {
            t.mutable_grad().put(g);
        }
        grad.close();
    }

    /** {@code a + b} where either may be missing ({@code null} or undefined): then the other one. */
    public static Tensor sum(Tensor a, Tensor b) {
        boolean hasA = a != null && a.defined();
        boolean hasB = b != null && b.defined();
        if (hasA && hasB) return a.add(b);
        return hasA ? a : hasB ? b : null;
    }
}
