package org.cover4j.nn;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.torch.Ops;
import org.cover4j.torch.Precision;
import org.cover4j.torch.Profiler;

import java.util.ArrayList;
import java.util.List;

/**
 * The gradients of a backbone pass's five levels as its caller gives them, per part of the batch ({@code
 * grads.get(p)} for the {@code parts[p]} images after the parts before it, e.g. the moving and the fixed views),
 * handed out per run of images and released as soon as the backward pass is done with them.
 */
final class LevelGradients {
    private final List<List<Tensor>> grads;
    private final long[] parts;
    /** Per part and level: released already. */
    private final boolean[][] released;

    LevelGradients(List<List<Tensor>> grads, long[] parts) {
        this.grads = grads;
        this.parts = parts;
        this.released = new boolean[parts.length][5];
    }

    /**
     * The gradients of levels {@code from .. to} of images {@code [start, start + size)} in the precision the pass
     * computes in, new tensors (views where the images lie in one part, joined copies otherwise, zeros for parts
     * without one); null for the other levels and for a level no part has a gradient for. The caller releases them.
     */
    List<Tensor> of(long start, long size, int from, int to) {
        try (Profiler.Section p = Profiler.section("unet level grads per chunk")) {
            List<Tensor> out = new ArrayList<>(5);
            for (int level = 0; level < 5; level++) {
                Tensor g = level < from || level > to ? null : level(level, start, size);
                Tensor c = g == null ? null : Precision.compute(g);
                if (c != g) Ops.release(g);
                out.add(c);
            }
            return out;
        }
    }

    private Tensor level(int level, long start, long size) {
        List<Tensor> pieces = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        Tensor any = null;
        long partStart = 0;
        for (int p = 0; p < parts.length; p++) {
            long from = Math.max(start, partStart);
            long to = Math.min(start + size, partStart + parts[p]);
            partStart += parts[p];
            if (from >= to) continue;
            if (released[p][level]) throw new IllegalStateException("level " + level + " of part " + p + " is released already");
            Tensor t = grads.get(p).get(level);
            boolean has = t != null && t.defined();
            if (has) any = t;
            pieces.add(has ? t.narrow(0, from - (partStart - parts[p]), to - from) : null);
            lengths.add(to - from);
        }
        if (any == null) return null;
        if (pieces.size() == 1) return pieces.get(0);
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i) != null) continue;
            long[] shape = any.shape();
            shape[0] = lengths.get(i);
            pieces.set(i, Ops.zeros(any, shape));
        }
        Tensor[] all = pieces.toArray(new Tensor[0]);
        Tensor joined = Ops.cat(0, all);
        Ops.release(all);
        return joined;
    }

    /** Releases levels {@code from .. to} of every part that ends at or before image {@code end}. */
    void releaseDone(long end, int from, int to) {
        long partEnd = 0;
        for (int p = 0; p < parts.length; p++) {
            partEnd += parts[p];
            if (partEnd > end) break;
            for (int level = from; level <= to; level++) {
                if (released[p][level]) continue;
                Ops.release(grads.get(p).get(level));
                released[p][level] = true;
            }
        }
    }
}
