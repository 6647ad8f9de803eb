package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.MoV;
import org.cover4j.nn.UNet;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Torch;

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
 *   <li>the backbone, once, from the gradients gathered on all its levels (recomputing its full-resolution
 *       blocks first when the forward pass did not keep them, see {@link UNet#levelsRecomputingFullResolution}).</li>
 * </ol>
 * Every piece of graph is traversed exactly once, so nothing is retained and autograd frees saved tensors as
 * it goes, as in a single {@code loss.backward()}; the gradients are the same up to summation order.
 */
public final class StagedBackward {
    private record Level(Tensor flowIn, Tensor flowOut, Tensor movLeaf, Tensor q, Tensor k, MoV.Result mov) {}

    /**
     * One backbone pass: its outputs, the leaves standing for them (per batch part: {@code leaves.get(part).get(level)}),
     * and its recomputation if any.
     */
    private record BackbonePass(List<Tensor> outputs, List<List<Tensor>> leaves, UNet.Recomputed recomputed) {}

    private final List<BackbonePass> backbone = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final boolean releaseFreedMemory;

    /** {@code releaseFreedMemory}: return the allocator's freed memory to the system before the backbone's pass. */
    StagedBackward(boolean releaseFreedMemory) {
        this.releaseFreedMemory = releaseFreedMemory;
    }

    /**
     * Leaves standing for the backbone's outputs ({@code recomputed}: a pass whose full-resolution blocks are
     * recomputed in backward, else null), one per output and part of the batch ({@code parts}: sizes along the batch
     * axis, e.g. the moving and the fixed images). Their gradients go through the backbone at the end. Separate
     * leaves per part, rather than views of one leaf, because autograd turns a gradient of a view into a zero-filled
     * tensor of the whole batch.
     */
    List<List<Tensor>> backboneLeaves(List<Tensor> outputs, UNet.Recomputed recomputed, long... parts) {
        List<List<Tensor>> leaves = new ArrayList<>();
        long start = 0;
        for (long size : parts) {
            List<Tensor> part = new ArrayList<>(outputs.size());
            for (Tensor t : outputs) part.add(Autograd.leaf(parts.length == 1 ? t : t.narrow(0, start, size)));
            leaves.add(part);
            start += size;
        }
        backbone.add(new BackbonePass(outputs, leaves, recomputed));
        return leaves;
    }

    void addLevel(Tensor flowIn, Tensor flowOut, Tensor movLeaf, Tensor q, Tensor k, MoV.Result mov) {
        levels.add(new Level(flowIn, flowOut, movLeaf, q, k, mov));
    }

    /** The gradient of output {@code i} of a backbone pass: its parts' leaf gradients joined (zeros for a part without one). */
    private static Tensor gradient(BackbonePass pass, int i) {
        List<Tensor> parts = new ArrayList<>();
        boolean any = false;
        for (List<Tensor> leaves : pass.leaves()) {
            Tensor g = leaves.get(i).grad();
            any |= g.defined();
            parts.add(g);
        }
        if (!any) return null;
        if (parts.size() == 1) return parts.get(0);
        for (int p = 0; p < parts.size(); p++) {
            Tensor leaf = pass.leaves().get(p).get(i);
            if (!parts.get(p).defined()) parts.set(p, Ops.zeros(leaf, leaf.shape()));
        }
        return Ops.cat(0, parts.toArray(new Tensor[0]));
    }

    /** Runs the stages; {@code flowLeaf} is the leaf the loss was computed from. */
    void backward(Tensor loss, Tensor flowLeaf) {
        loss.backward();
        Tensor gFlow = flowLeaf.grad();
        for (int i = levels.size() - 1; i >= 0; i--) {
            Level level = levels.get(i);
            Autograd.backward(List.of(level.flowOut()), java.util.Collections.singletonList(gFlow));
            Tensor gMov = level.movLeaf().grad();
            if (gMov.defined()) {
                Tensor[] gqk = MoV.backward(level.mov(), gMov);
                Autograd.backward(List.of(level.q(), level.k()), List.of(gqk));
                Ops.release(gqk);
            }
            level.mov().close();
            Tensor gIn = level.flowIn() != null ? level.flowIn().grad() : null;
            // This level's graph has been traversed: drop the wrappers that still hold its tensors.
            Ops.release(level.flowOut(), level.movLeaf(), gMov, level.q(), level.k(), level.flowIn(), gFlow);
            gFlow = gIn;
        }
        if (releaseFreedMemory) Torch.releaseFreedMemory();
        for (BackbonePass pass : backbone) {
            List<Tensor> grads = new ArrayList<>();
            for (int i = 0; i < pass.outputs().size(); i++) grads.add(gradient(pass, i));
            if (pass.recomputed() != null) pass.recomputed().backward(grads);
            else Autograd.backward(pass.outputs(), grads);
        }
    }
}
