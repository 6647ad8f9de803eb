package org.cover4j.nn;

import org.bytedeco.javacpp.FloatPointer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The plain-Java CPU float32 kernels behind {@link LocalCorrelation}: forward and backward over C-order arrays,
 * results written straight into native output memory.
 *
 * <p>2D is 3D with depth 1. The positions are cut into blocks of whole rows of one slab (b, z, y0..y1), about
 * {@value #BLOCK} positions each, so a block's rows of q, k and the accumulators stay in cache while all offsets
 * are visited; the inner loops run over x on plain arrays, which HotSpot vectorises. Every output element is
 * computed by one block in a fixed order (gradients are gathered, not scattered), so the results are bitwise
 * the same for any number of threads; the block grid does not depend on the thread count.
 */
final class LocalCorrelationKernel {
    /** The logit of a neighbour outside the image (SPEC §4). */
    static final float OUTSIDE = -1000f;
    private static final int BLOCK = 4096;

    private LocalCorrelationKernel() {}

    /** Shape facts of one call: batch, channels, depth (1 in 2D), rows, columns, heads and the offsets (dz, dy, dx). */
    static final class Geometry {
        final int batch, channels, depth, rows, cols, heads, offsets;
        final int[] dz, dy, dx;
        final int slab, rowsPerBlock, blocksPerSlab;

        Geometry(int batch, int channels, int[] spatial, int heads, int amp) {
            int nd = spatial.length;
            this.batch = batch;
            this.channels = channels;
            this.depth = nd == 3 ? spatial[0] : 1;
            this.rows = spatial[nd - 2];
            this.cols = spatial[nd - 1];
            this.heads = heads;
            float[] t = MoV.templates(nd, amp);
            this.offsets = t.length / nd;
            dz = new int[offsets];
            dy = new int[offsets];
            dx = new int[offsets];
            for (int n = 0; n < offsets; n++) {
                dz[n] = nd == 3 ? (int) t[n * nd] : 0;
                dy[n] = (int) t[n * nd + nd - 2];
                dx[n] = (int) t[n * nd + nd - 1];
            }
            slab = rows * cols;
            rowsPerBlock = Math.max(1, Math.min(rows, BLOCK / Math.max(1, cols)));
            blocksPerSlab = (rows + rowsPerBlock - 1) / rowsPerBlock;
        }

        int blocks() {
            return batch * depth * blocksPerSlab;
        }

        /** The largest block, in positions. */
        int blockCapacity() {
            return rowsPerBlock * cols;
        }
    }

    /** Where a block lies: batch b, slab z, rows y0 (inclusive) to y1 (exclusive). */
    private static final class Block {
        int b, z, y0, y1, len;

        void set(Geometry g, int index) {
            int perVolume = g.depth * g.blocksPerSlab;
            b = index / perVolume;
            int rest = index % perVolume;
            z = rest / g.blocksPerSlab;
            y0 = (rest % g.blocksPerSlab) * g.rowsPerBlock;
            y1 = Math.min(g.rows, y0 + g.rowsPerBlock);
            len = (y1 - y0) * g.cols;
        }
    }

    /**
     * logits (B, N, heads, *S) into {@code out} (native, C-order): q·k summed over each head's channels, or
     * {@link #OUTSIDE} where the neighbour lies outside the image.
     */
    static void forward(Geometry g, float[] q, float[] k, FloatPointer out, int threads) {
        parallel(g.blocks(), threads, () -> {
            float[] acc = new float[g.heads * g.blockCapacity()];
            FloatPointer dst = new FloatPointer(out);
            Block blk = new Block();
            return index -> {
                blk.set(g, index);
                for (int n = 0; n < g.offsets; n++) {
                    forwardOffset(g, q, k, blk, n, acc);
                    for (int j = 0; j < g.heads; j++) {
                        long at = ((((long) blk.b * g.offsets + n) * g.heads + j) * g.depth + blk.z) * g.slab
                                + (long) blk.y0 * g.cols;
                        dst.position(at).put(acc, j * blk.len, blk.len);
                    }
                }
            };
        });
    }

    private static void forwardOffset(Geometry g, float[] q, float[] k, Block blk, int n, float[] acc) {
        int w = g.cols;
        int len = blk.len;
        int dy = g.dy[n], dx = g.dx[n];
        int zz = blk.z + g.dz[n];
        int ylo = Math.max(blk.y0, -dy), yhi = Math.min(blk.y1, g.rows - dy);
        int xlo = Math.max(0, -dx), xhi = Math.min(w, w - dx);
        Arrays.fill(acc, 0, g.heads * len, OUTSIDE);
        if (zz < 0 || zz >= g.depth || ylo >= yhi || xlo >= xhi) return;
        for (int j = 0; j < g.heads; j++) {
            for (int y = ylo; y < yhi; y++) {
                int row = j * len + (y - blk.y0) * w;
                Arrays.fill(acc, row + xlo, row + xhi, 0f);
            }
        }
        for (int c = 0; c < g.channels; c++) {
            int j = c % g.heads;
            int qBase = ((blk.b * g.channels + c) * g.depth + blk.z) * g.slab;
            int kBase = ((blk.b * g.channels + c) * g.depth + zz) * g.slab + dy * w + dx;
            for (int y = ylo; y < yhi; y++) {
                int ai = j * len + (y - blk.y0) * w;
                int qi = qBase + y * w;
                int ki = kBase + y * w;
                for (int x = xlo; x < xhi; x++) acc[ai + x] += q[qi + x] * k[ki + x];
            }
        }
    }

    /**
     * The gradients of Σ g·logits into {@code gqOut} and {@code gkOut} (native, C-order, shaped as q and k);
     * {@code grad} is the native (B, N, heads, *S) upstream gradient, read one block's rows at a time.
     */
    static void backward(Geometry g, FloatPointer grad, float[] q, float[] k, FloatPointer gqOut, FloatPointer gkOut,
                         int threads) {
        parallel(g.blocks(), threads, () -> {
            int cap = g.blockCapacity();
            float[] gq = new float[g.channels * cap];
            float[] gk = new float[g.channels * cap];
            float[] rowsHere = new float[g.heads * cap];
            float[] rowsThere = new float[g.heads * cap];
            FloatPointer src = new FloatPointer(grad);
            FloatPointer dq = new FloatPointer(gqOut);
            FloatPointer dk = new FloatPointer(gkOut);
            Block blk = new Block();
            return index -> {
                blk.set(g, index);
                Arrays.fill(gq, 0, g.channels * blk.len, 0f);
                Arrays.fill(gk, 0, g.channels * blk.len, 0f);
                for (int n = 0; n < g.offsets; n++) {
                    gatherQueryGrad(g, src, k, blk, n, rowsHere, gq);
                    gatherKeyGrad(g, src, q, blk, n, rowsThere, gk);
                }
                for (int c = 0; c < g.channels; c++) {
                    long at = (((long) blk.b * g.channels + c) * g.depth + blk.z) * g.slab + (long) blk.y0 * g.cols;
                    dq.position(at).put(gq, c * blk.len, blk.len);
                    dk.position(at).put(gk, c * blk.len, blk.len);
                }
            };
        });
    }

    /** gq[c, p] += g[n, c % heads, p] · k[c, p + v_n] for the block's positions p whose neighbour is inside. */
    private static void gatherQueryGrad(Geometry g, FloatPointer src, float[] k, Block blk, int n, float[] rows,
                                        float[] gq) {
        int w = g.cols;
        int len = blk.len;
        int dy = g.dy[n], dx = g.dx[n];
        int zz = blk.z + g.dz[n];
        int ylo = Math.max(blk.y0, -dy), yhi = Math.min(blk.y1, g.rows - dy);
        int xlo = Math.max(0, -dx), xhi = Math.min(w, w - dx);
        if (zz < 0 || zz >= g.depth || ylo >= yhi || xlo >= xhi) return;
        // rows ylo..yhi of g[b, n, j, z] for every head, at their place in the block
        for (int j = 0; j < g.heads; j++) {
            long at = ((((long) blk.b * g.offsets + n) * g.heads + j) * g.depth + blk.z) * g.slab + (long) ylo * w;
            src.position(at).get(rows, j * len + (ylo - blk.y0) * w, (yhi - ylo) * w);
        }
        for (int c = 0; c < g.channels; c++) {
            int j = c % g.heads;
            int kBase = ((blk.b * g.channels + c) * g.depth + zz) * g.slab + dy * w + dx;
            for (int y = ylo; y < yhi; y++) {
                int ai = c * len + (y - blk.y0) * w;
                int gi = j * len + (y - blk.y0) * w;
                int ki = kBase + y * w;
                for (int x = xlo; x < xhi; x++) gq[ai + x] += rows[gi + x] * k[ki + x];
            }
        }
    }

    /** gk[c, r] += g[n, c % heads, r − v_n] · q[c, r − v_n] for the block's positions r with r − v_n inside. */
    private static void gatherKeyGrad(Geometry g, FloatPointer src, float[] q, Block blk, int n, float[] rows,
                                      float[] gk) {
        int w = g.cols;
        int len = blk.len;
        int dy = g.dy[n], dx = g.dx[n];
        int zs = blk.z - g.dz[n];
        int ylo = Math.max(blk.y0, dy), yhi = Math.min(blk.y1, g.rows + dy);
        int xlo = Math.max(0, dx), xhi = Math.min(w, w + dx);
        if (zs < 0 || zs >= g.depth || ylo >= yhi || xlo >= xhi) return;
        // rows ylo−dy..yhi−dy of g[b, n, j, z−dz], stored at the block rows ylo..yhi they pair with
        for (int j = 0; j < g.heads; j++) {
            long at = ((((long) blk.b * g.offsets + n) * g.heads + j) * g.depth + zs) * g.slab + (long) (ylo - dy) * w;
            src.position(at).get(rows, j * len + (ylo - blk.y0) * w, (yhi - ylo) * w);
        }
        for (int c = 0; c < g.channels; c++) {
            int j = c % g.heads;
            int qBase = ((blk.b * g.channels + c) * g.depth + zs) * g.slab - dy * w - dx;
            for (int y = ylo; y < yhi; y++) {
                int ai = c * len + (y - blk.y0) * w;
                int gi = j * len + (y - blk.y0) * w - dx;
                int qi = qBase + y * w;
                for (int x = xlo; x < xhi; x++) gk[ai + x] += rows[gi + x] * q[qi + x];
            }
        }
    }

    /** One thread's work on one block; made once per thread with that thread's scratch buffers. */
    private interface BlockWork {
        void run(int block);
    }

    private static ExecutorService pool;
    private static int poolThreads;

    /** A reused pool of daemon threads with at least {@code workers} threads (the caller is one more worker). */
    private static synchronized ExecutorService pool(int workers) {
        if (pool == null || poolThreads < workers) {
            if (pool != null) pool.shutdown();
            pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "local-correlation");
                t.setDaemon(true);
                return t;
            });
            poolThreads = workers;
        }
        return pool;
    }

    /** Runs blocks 0..count−1 on {@code threads} threads (the caller included), each taking the next free block. */
    private static void parallel(int count, int threads, Supplier<BlockWork> perThread) {
        int workers = Math.max(1, Math.min(threads, count));
        AtomicInteger next = new AtomicInteger();
        Runnable loop = () -> {
            BlockWork work = perThread.get();
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) work.run(i);
        };
        if (workers == 1) {
            loop.run();
            return;
        }
        ExecutorService p = pool(workers - 1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 1; t < workers; t++) futures.add(p.submit(loop));
        RuntimeException failure = null;
        try {
            loop.run();
        } catch (RuntimeException e) {
            failure = e;
            next.set(count); // the others stop after their current block
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("local correlation interrupted", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re
                            : new IllegalStateException("local correlation failed: " + e.getCause(), e.getCause());
                }
            }
        }
        if (failure != null) throw failure;
    }
}
