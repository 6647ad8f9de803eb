package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.nn.MoV;
import org.cover4j.torch.Ops;

import java.util.ArrayList;
import java.util.List;

/**
 * The backward pass of one {@link CoverModel} forward pass, run in stages. MoV has a hand-written gradient
 * ({@link MoV#backward}) that autograd cannot call, so the forward pass cuts its graph into pieces joined by
 * leaves, and the backward pass walks the pieces from the loss back to the images:
 * <ol>
 *   <li>the loss, back to the predicted flow and the finest features (leaves);</li>
 *   <li>each VPA level, finest first: its flow combination back to its MoV output and incoming flow (leaves),
 *       then MoV's gradient by hand, then the projections and warp back to the backbone levels and the incoming
 *       flow, whose gradient is then complete and starts the next-coarser level;</li>
 *   <li>the backbone, once, from the gradients gathered on all its levels.</li>
 * </ol>
 * Every piece of graph is traversed exactly once, so nothing is retained and autograd frees saved tensors as
 * it goes, as in a single {@code loss.backward()}; the gradients are the same up to summation order.
 */
public final class StagedBackward {
    private record Level(Tensor flowIn, Tensor flowOut, Tensor movLeaf, Tensor q, Tensor k, MoV.Result mov) {}

    private final List<Tensor> backboneOutputs = new ArrayList<>();
    private final List<Tensor> backboneLeaves = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();

    StagedBackward() {}

    /** Leaves standing for the backbone's outputs; their gradients go through the backbone at the end. */
    List<Tensor> backboneLeaves(List<Tensor> outputs) {
        List<Tensor> leaves = new ArrayList<>(outputs.size());
        for (Tensor t : outputs) {
            backboneOutputs.add(t);
            Tensor leaf = leaf(t);
            backboneLeaves.add(leaf);
            leaves.add(leaf);
        }
        return leaves;
    }

    /** The leaf a VPA level reads the previous level's flow from. */
    Tensor flowIn(Tensor flowOut) {
        return leaf(flowOut);
    }

    /** The leaf holding a MoV output computed outside autograd. */
    Tensor movLeaf(Tensor movOut) {
        return leaf(movOut);
    }

    /** The leaf the loss reads the final flow from. */
    Tensor flowLeaf(Tensor flowOut) {
        return leaf(flowOut);
    }

    void addLevel(Tensor flowIn, Tensor flowOut, Tensor movLeaf, Tensor q, Tensor k, MoV.Result mov) {
        levels.add(new Level(flowIn, flowOut, movLeaf, q, k, mov));
    }

    private static Tensor leaf(Tensor t) {
        Tensor leaf = t.detach();
        if (GradMode.is_enabled()) leaf.requires_grad_(true);
        return leaf;
    }

    /** Runs the stages; {@code flowLeaf} is the leaf the loss was computed from. */
    void backward(Tensor loss, Tensor flowLeaf) {
        loss.backward();
        Tensor gFlow = flowLeaf.grad();
        for (int i = levels.size() - 1; i >= 0; i--) {
            Level level = levels.get(i);
            run(List.of(level.flowOut()), List.of(gFlow));
            Tensor gMov = level.movLeaf().grad();
            if (gMov.defined()) {
                Tensor[] gqk = MoV.backward(level.mov(), gMov);
                run(List.of(level.q(), level.k()), List.of(gqk));
                Ops.release(gqk);
            }
            level.mov().close();
            gFlow = level.flowIn() != null ? level.flowIn().grad() : null;
        }
        List<Tensor> outputs = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        for (int i = 0; i < backboneLeaves.size(); i++) {
            Tensor g = backboneLeaves.get(i).grad();
            if (!g.defined()) continue;
            outputs.add(backboneOutputs.get(i));
            grads.add(g);
        }
        run(outputs, grads);
    }

    /** {@code torch.autograd.backward(outputs, grads)}, skipping outputs without a gradient. */
    private static void run(List<Tensor> outputs, List<Tensor> grads) {
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
}
