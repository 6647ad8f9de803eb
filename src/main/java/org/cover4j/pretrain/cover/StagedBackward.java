package org.cover4j.pretrain.cover;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.nn.MoV;
import org.cover4j.nn.BackbonePass;
import org.cover4j.nn.UNetPass;
import org.cover4j.torch.Autograd;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Profiler;
import org.cover4j.torch.Torch;

import java.util.ArrayList;
import java.util.List;

/**
 * The backward pass of one {@link CoverModel} forward pass, run in stages. MoV has a hand-written gradient
 * ({@link MoV#backward}) that autograd cannot call, so the forward pass cuts its graph into pieces joined by
 * leaves, and the backward pass walks the pieces from the loss back to the images:
 * <ol>
 *   <li>the loss, back to the predicted flow (a leaf; the consistency loss's gradients reach the finest features'
 *       leaves by hand, when it is computed: see {@link CoverMethod#losses});</li>
 *   <li>each VPA level, finest first: its flow combination back to its MoV output and incoming flow (leaves),
 *       then MoV's gradient by hand, then the projections and warp back to the backbone levels and the incoming
 *       flow, whose gradient is then complete and starts the next-coarser level;</li>
 *   <li>the backbone, once, from the gradients gathered on all its levels, by its own backward pass
 *       ({@link BackbonePass#backward}: the U-Net's hand-written {@link UNetPass}, others' autograd).</li>
 * </ol>
 * Every piece of graph is traversed exactly once, so nothing is retained and autograd frees saved tensors as
 * it goes, as in a single {@code loss.backward()}; the gradients are the same up to summation order.
 */
public final class StagedBackward {
    private record Level(Tensor flowIn, Tensor flowOut, Tensor movLeaf, Tensor q, Tensor k, MoV.Result mov) {}

    /**
     * One backbone pass, the sizes of its batch parts and the leaves standing for its outputs (per part:
     * {@code leaves.get(part).get(level)}).
     */
    private record PassLeaves(BackbonePass pass, long[] parts, List<List<Tensor>> leaves) {}

    private final List<PassLeaves> backbone = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();
    private final boolean releaseFreedMemory;

    /** {@code releaseFreedMemory}: return the allocator's freed memory to the system before the backbone's pass. */
    StagedBackward(boolean releaseFreedMemory) {
        this.releaseFreedMemory = releaseFreedMemory;
    }

    /**
     * Leaves standing for the outputs of a backbone pass ({@code pass}: its backward, null outside grad mode), one
     * per output and part of the batch ({@code parts}: sizes along the batch axis, e.g. the moving and the fixed
     * images). Their gradients go through the backbone at the end, per part. Separate leaves per part, rather than
     * views of one leaf, because autograd turns a gradient of a view into a zero-filled tensor of the whole batch.
     */
    List<List<Tensor>> backboneLeaves(List<Tensor> outputs, BackbonePass pass, long... parts) {
        List<List<Tensor>> leaves = new ArrayList<>();
        long start = 0;
        for (long size : parts) {
            List<Tensor> part = new ArrayList<>(outputs.size());
            for (Tensor t : outputs) part.add(Autograd.leaf(parts.length == 1 ? t : t.narrow(0, start, size)));
            leaves.add(part);
            start += size;
        }
        if (pass != null) backbone.add(new PassLeaves(pass, parts, leaves));
        return leaves;
    }

    void addLevel(Tensor flowIn, Tensor flowOut, Tensor movLeaf, Tensor q, Tensor k, MoV.Result mov) {
        levels.add(new Level(flowIn, flowOut, movLeaf, q, k, mov));
    }

    /**
     * The gradients of a backbone pass's outputs per part of the batch ({@code [part][output]}, undefined where a leaf
     * got none), taken from its leaves, which are released: the gradients are then the only copies left.
     */
    private static List<List<Tensor>> takeGradients(PassLeaves pass) {
        List<List<Tensor>> grads = new ArrayList<>();
        for (List<Tensor> leaves : pass.leaves()) {
            List<Tensor> part = new ArrayList<>(leaves.size());
            for (Tensor leaf : leaves) part.add(Autograd.takeGrad(leaf));
            Ops.release(leaves.toArray(new Tensor[0]));
            grads.add(part);
        }
        return grads;
    }

    /** Runs the stages; {@code flowLeaf} is the leaf the loss was computed from. */
    void backward(Tensor loss, Tensor flowLeaf) {
        try (Profiler.Section p = Profiler.section("loss bwd (autograd)")) {
            loss.backward();
        }
        Tensor gFlow = flowLeaf.grad();
        for (int i = levels.size() - 1; i >= 0; i--) {
            Level level = levels.get(i);
            try (Profiler.Section p = Profiler.section("vpa flow compose bwd (autograd)", level.flowOut())) {
                Autograd.backward(List.of(level.flowOut()), java.util.Collections.singletonList(gFlow));
            }
            Tensor gMov = level.movLeaf().grad();
            if (gMov.defined()) {
                Tensor[] gqk = MoV.backward(level.mov(), gMov);
                try (Profiler.Section p = Profiler.section("vpa projection+warp bwd (autograd)", level.q())) {
                    Autograd.backward(List.of(level.q(), level.k()), List.of(gqk));
                }
                Ops.release(gqk);
            }
            level.mov().close();
            Tensor gIn = level.flowIn() != null ? level.flowIn().grad() : null;
            // This level's graph has been traversed: drop the wrappers that still hold its tensors.
            Ops.release(level.flowOut(), level.movLeaf(), gMov, level.q(), level.k(), level.flowIn(), gFlow);
            gFlow = gIn;
        }
        if (releaseFreedMemory) {
            try (Profiler.Section p = Profiler.section("allocator trim (low memory)")) {
                Torch.releaseFreedMemory();
            }
        }
        for (PassLeaves pass : backbone) {
            List<List<Tensor>> grads = takeGradients(pass);
            pass.pass().backward(grads, pass.parts());
        }
    }
}
