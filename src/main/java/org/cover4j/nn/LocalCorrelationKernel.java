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
 * {@value #BLOCK} positions each, so a block's q, k and accumulators stay in cache while all offsets are visited.
 * Within a block the pairs of one offset are a single contiguous run of positions (rows wrap into the next row;
 * the wrapped border columns are masked afterwards), so each inner loop runs over the whole block. Every output
 * element is computed by one block in a fixed order (gradients are gathered, not scattered), so the results are
 * bitwise the same for any number of threads; the block grid does not depend on the thread count.
 *
 * <p>Measured at 3D 64³, C = 8, amp 2, one thread: forward 31 ms into touched memory (plus the first touch of the
 * fresh 131 MB output, ~40 ms without transparent huge pages), backward 62–73 ms; the tensor-operation path takes
 * 145 and 148 ms.
 */
final class LocalCorrelationKernel {
    /** The logit of a neighbour outside the image (SPEC §4). */
    static final float OUTSIDE = -1000f;
    private static final int BLOCK = 4096;

    private LocalCorrelationKernel() {}

    /** Shape facts of one call: batch, channels, depth (1 in 2D), rows, columns, heads and the offsets (dz, dy, dx). */
    static final class Geometry {
        final int nd, batch, channels, depth, rows, cols, heads, offsets;
        final int[] dz, dy, dx;
        final int slab, rowsPerBlock, blocksPerSlab;

        Geometry(int batch, int channels, int[] spatial, int heads, int amp) {
            int nd = spatial.length;
            this.nd = nd;
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

        /** Component d (0 = first spatial axis) of offset n. */
        int offset(int n, int d) {
            int axis = d + 3 - nd; // 2D has no z component
            return axis == 0 ? dz[n] : axis == 1 ? dy[n] : dx[n];
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

        /** The flat index of channel c, slab zz, row y0, column 0 of this block's batch item in q or k. */
        int start(Geometry g, int c, int zz) {
            return start(g, g.channels, c, zz);
        }

        /** The same in an array of shape (B, channels, *S). */
        int start(Geometry g, int channels, int c, int zz) {
            return ((b * channels + c) * g.depth + zz) * g.slab + y0 * g.cols;
        }
    }

    /**
     * The in-image part of one offset within a block, for pairs (p, p + v) ({@code towardsKey}, positions p) or
     * (r − v, r) (positions r). Inside the block the valid positions form the rectangle rows ylo..yhi × columns
     * xlo..xhi; the flat block indices from {@code start} to {@code end} cover it plus the wrapped-around border
     * columns in between, whose partners are wrong and must be masked.
     */
    private static final class Pairs {
        int ylo, yhi, xlo, xhi, start, end, slab;

        /** False when no position of the block has its partner inside the image. */
        boolean set(Geometry g, Block blk, int n, boolean towardsKey) {
            int sign = towardsKey ? 1 : -1;
            int dz = sign * g.dz[n], dy = sign * g.dy[n], dx = sign * g.dx[n];
            slab = blk.z + dz;
            ylo = Math.max(blk.y0, -dy);
            yhi = Math.min(blk.y1, g.rows - dy);
            xlo = Math.max(0, -dx);
            xhi = Math.min(g.cols, g.cols - dx);
            if (slab < 0 || slab >= g.depth || ylo >= yhi || xlo >= xhi) return false;
            start = (ylo - blk.y0) * g.cols + xlo;
            end = (yhi - 1 - blk.y0) * g.cols + xhi;
            return true;
        }

        /** Sets every block position outside the valid rectangle to {@code value} (within {@code [0, len)}). */
        void maskOutside(float[] a, Block blk, int cols, float value) {
            Arrays.fill(a, 0, start, value);
            Arrays.fill(a, end, blk.len, value);
            for (int y = ylo; y < yhi; y++) {
                int row = (y - blk.y0) * cols;
                if (y > ylo) Arrays.fill(a, row, row + xlo, value);
                if (y < yhi - 1) Arrays.fill(a, row + xhi, row + cols, value);
            }
        }
    }

    // The loops below index every array by the loop variable alone: HotSpot 17 vectorises a loop only when all its
    // array accesses share the same index expression, so the shifted partners are first copied into aligned
    // block buffers (one arraycopy per offset and channel; the shift is contiguous across rows).

    /**
     * logits (B, N, heads, *S) into {@code out} (native, C-order): q·k summed over each head's channels, or
     * {@link #OUTSIDE} where the neighbour lies outside the image.
     */
    static void forward(Geometry g, float[] q, float[] k, FloatPointer out, int threads) {
        parallel(g.blocks(), threads, () -> {
            int cap = g.blockCapacity();
            float[][] acc = new float[g.heads][cap];
            float[][] qBlock = new float[g.channels][cap];
            float[][] shifted = new float[2][cap];
            FloatPointer dst = new FloatPointer(out);
            Block blk = new Block();
            Pairs pairs = new Pairs();
            return index -> {
                blk.set(g, index);
                for (int c = 0; c < g.channels; c++) System.arraycopy(q, blk.start(g, c, blk.z), qBlock[c], 0, blk.len);
                for (int n = 0; n < g.offsets; n++) {
                    if (pairs.set(g, blk, n, true)) {
                        for (int j = 0; j < g.heads; j++) {
                            forwardHead(g, k, blk, pairs, n, j, qBlock, shifted, acc[j]);
                            pairs.maskOutside(acc[j], blk, g.cols, OUTSIDE);
                        }
                    } else {
                        for (int j = 0; j < g.heads; j++) Arrays.fill(acc[j], 0, blk.len, OUTSIDE);
                    }
                    for (int j = 0; j < g.heads; j++) {
                        long at = ((((long) blk.b * g.offsets + n) * g.heads + j) * g.depth + blk.z) * g.slab
                                + (long) blk.y0 * g.cols;
                        dst.position(at).put(acc[j], 0, blk.len);
                    }
                }
            };
        });
    }

    /** acc = Σ over head j's channels of q·k(shifted by v_n), two channels per pass over the accumulator. */
    private static void forwardHead(Geometry g, float[] k, Block blk, Pairs pairs, int n, int j, float[][] qBlock,
                                    float[][] shifted, float[] acc) {
        int from = pairs.start, to = pairs.end;
        int shift = g.dy[n] * g.cols + g.dx[n];
        Arrays.fill(acc, from, to, 0f);
        for (int c = j; c < g.channels; c += 2 * g.heads) {
            int c2 = c + g.heads;
            System.arraycopy(k, blk.start(g, c, pairs.slab) + shift + from, shifted[0], from, to - from);
            if (c2 < g.channels) {
                System.arraycopy(k, blk.start(g, c2, pairs.slab) + shift + from, shifted[1], from, to - from);
                mac2(acc, qBlock[c], shifted[0], qBlock[c2], shifted[1], from, to);
            } else {
                mac1(acc, qBlock[c], shifted[0], from, to);
            }
        }
    }

    // Measured on HotSpot 17 (3D 64³, C = 8): one or two products per pass vectorise (28 ms per forward); four per
    // pass did not (80 ms).

    private static void mac1(float[] acc, float[] a0, float[] b0, int from, int to) {
        for (int i = from; i < to; i++) acc[i] += a0[i] * b0[i];
    }

    private static void mac2(float[] acc, float[] a0, float[] b0, float[] a1, float[] b1, int from, int to) {
        for (int i = from; i < to; i++) acc[i] += a0[i] * b0[i] + a1[i] * b1[i];
    }

    /**
     * The gradients of Σ g·logits into {@code gqOut} and {@code gkOut} (native, C-order, shaped as q and k);
     * {@code grad} is the native (B, N, heads, *S) upstream gradient, read one block's rows at a time.
     */
    static void backward(Geometry g, FloatPointer grad, float[] q, float[] k, FloatPointer gqOut, FloatPointer gkOut,
                         int threads) {
        gather(g, q, k, gqOut, gkOut, threads, () -> {
            FloatPointer src = new FloatPointer(grad);
            return (blk, pairs, n, slab, shift, here, rows) -> readGrad(g, src, blk, pairs, n, slab, shift, rows);
        });
    }

    /** Where {@link #gather} gets the logits' gradient from: one block, one offset at a time. */
    private interface LogitGradRows {
        /** Called once per block, before its offsets. */
        default void startBlock(Block blk) {}

        /**
         * rows[j][i] = the gradient of logit (n, j) of the pair updating block position i, over the pairs' range, 0 at
         * the masked border columns; the pair's query lies in {@code slab} at block position i + {@code shift}
         * ({@code here}: the block's own positions).
         */
        void read(Block blk, Pairs pairs, int n, int slab, int shift, boolean here, float[][] rows);
    }

    /**
     * gq[c, p] = Σ_n G[n, c % heads, p] · k[c, p + v_n] and gk[c, r] = Σ_n G[n, c % heads, r − v_n] · q[c, r − v_n] over
     * in-image pairs, into {@code gqOut} and {@code gkOut}, with the logits' gradient G from {@code source} (one per thread).
     */
    private static void gather(Geometry g, float[] q, float[] k, FloatPointer gqOut, FloatPointer gkOut, int threads,
                               Supplier<LogitGradRows> source) {
        parallel(g.blocks(), threads, () -> {
            int cap = g.blockCapacity();
            float[][] gq = new float[g.channels][cap];
            float[][] gk = new float[g.channels][cap];
            float[][] rows = new float[g.heads][cap];
            float[] shifted = new float[cap];
            LogitGradRows grads = source.get();
            FloatPointer dq = new FloatPointer(gqOut);
            FloatPointer dk = new FloatPointer(gkOut);
            Block blk = new Block();
            Pairs pairs = new Pairs();
            return index -> {
                blk.set(g, index);
                for (int c = 0; c < g.channels; c++) {
                    Arrays.fill(gq[c], 0, blk.len, 0f);
                    Arrays.fill(gk[c], 0, blk.len, 0f);
                }
                grads.startBlock(blk);
                for (int n = 0; n < g.offsets; n++) {
                    // gq[c, p] += G[n, j, p] · k[c, p + v]
                    if (pairs.set(g, blk, n, true)) {
                        int shift = g.dy[n] * g.cols + g.dx[n];
                        grads.read(blk, pairs, n, blk.z, 0, true, rows);
                        gather(g, k, blk, pairs, shift, rows, shifted, gq);
                    }
                    // gk[c, r] += G[n, j, r − v] · q[c, r − v]
                    if (pairs.set(g, blk, n, false)) {
                        int shift = -(g.dy[n] * g.cols + g.dx[n]);
                        grads.read(blk, pairs, n, pairs.slab, shift, false, rows);
                        gather(g, q, blk, pairs, shift, rows, shifted, gk);
                    }
                }
                for (int c = 0; c < g.channels; c++) {
                    long at = blockAt(g, blk, g.channels, c);
                    dq.position(at).put(gq[c], 0, blk.len);
                    dk.position(at).put(gk[c], 0, blk.len);
                }
            };
        });
    }

    /**
     * rows[j][i] = g[b, n, j, slab, position i of the block + shift] over the pairs' range, 0 at the masked
     * border columns: the upstream gradient of each pair, placed at the block position it updates.
     */
    private static void readGrad(Geometry g, FloatPointer src, Block blk, Pairs pairs, int n, int slab, int shift,
                                 float[][] rows) {
        readRows(g, src, blk, n, slab, shift, pairs.start, pairs.end, rows);
        for (int j = 0; j < g.heads; j++) pairs.maskOutside(rows[j], blk, g.cols, 0f);
    }

    /** rows[j][i] = t[b, n, j, slab, position i of the block + shift] for i in [from, to), t native (B, N, heads, *S). */
    private static void readRows(Geometry g, FloatPointer src, Block blk, int n, int slab, int shift, int from, int to,
                                 float[][] rows) {
        for (int j = 0; j < g.heads; j++) {
            long at = ((((long) blk.b * g.offsets + n) * g.heads + j) * g.depth + slab) * g.slab
                    + (long) blk.y0 * g.cols + shift + from;
            src.position(at).get(rows[j], from, to - from);
        }
    }

    /** acc[c][i] += rows[c % heads][i] · partner[c, slab, position i of the block + shift], for every channel c. */
    private static void gather(Geometry g, float[] partner, Block blk, Pairs pairs, int shift, float[][] rows,
                               float[] shifted, float[][] acc) {
        int from = pairs.start, to = pairs.end;
        for (int c = 0; c < g.channels; c++) {
            System.arraycopy(partner, blk.start(g, c, pairs.slab) + shift + from, shifted, from, to - from);
            mac1(acc[c], rows[c % g.heads], shifted, from, to);
        }
    }

    // ---------------------------------------------------------------- MoV around the local correlation

    /**
     * MoV's output (B, nd, *S) into {@code out} (native, C-order): {@code out[b,d,p] = (1/h) Σ_n v_n[d] Σ_j attn[b,n,j,p]},
     * the native softmax weights (B, N, heads, *S) read once, a block's rows at a time.
     */
    static void mixture(Geometry g, FloatPointer attn, FloatPointer out, int threads) {
        parallel(g.blocks(), threads, () -> {
            int cap = g.blockCapacity();
            float[][] acc = new float[g.nd][cap];
            float[][] rows = new float[g.heads][cap];
            FloatPointer src = new FloatPointer(attn);
            FloatPointer dst = new FloatPointer(out);
            Block blk = new Block();
            return index -> {
                blk.set(g, index);
                int len = blk.len;
                for (int d = 0; d < g.nd; d++) Arrays.fill(acc[d], 0, len, 0f);
                for (int n = 0; n < g.offsets; n++) {
                    // every offset, outside ones included (their weight is 0 unless a whole window is outside)
                    readRows(g, src, blk, n, blk.z, 0, 0, len, rows);
                    float[] sum = rows[0];
                    for (int j = 1; j < g.heads; j++) add(sum, rows[j], 0, len);
                    for (int d = 0; d < g.nd; d++) {
                        int v = g.offset(n, d);
                        if (v != 0) axpy(acc[d], v, sum, 0, len);
                    }
                }
                for (int d = 0; d < g.nd; d++) {
                    if (g.heads > 1) divide(acc[d], g.heads, len);
                    dst.position(blockAt(g, blk, g.nd, d)).put(acc[d], 0, len);
                }
            };
        });
    }

    /**
     * The gradients {dL/dq, dL/dk} through MoV's softmax and local correlation given {@code gout} = dL/d(out), C-order
     * (B, nd, *S), and the native softmax weights (B, N, heads, *S). With a_n = (1/h) Σ_d v_n[d]·gout[d] (the
     * gradient of the weights) and s_j = Σ_n attn[n,j]·a_n, the logits' gradient is attn[n,j]·(a_n − s_j); it is
     * formed row by row where {@link #backward} reads its upstream gradient, never as a whole. {@code out}, MoV's
     * output (B, nd, *S) for these weights, gives s directly with one head (s = Σ_d gout[d]·out[d]); null: s is
     * computed from the weights.
     */
    static void backwardThroughSoftmax(Geometry g, FloatPointer attn, float[] gout, float[] out, float[] q, float[] k,
                                       FloatPointer gqOut, FloatPointer gkOut, int threads) {
        // s is needed at shifted positions too, which other blocks own: first, into a small array.
        float[] s = new float[g.batch * g.heads * g.depth * g.slab];
        if (out != null && g.heads == 1) {
            outputDots(g, gout, out, s);
        } else {
            softmaxDots(g, attn, gout, s, threads);
        }
        gather(g, q, k, gqOut, gkOut, threads, () -> {
            int cap = g.blockCapacity();
            float[] weightGrad = new float[cap];
            float[][] goutHere = new float[g.nd][cap], goutThere = new float[g.nd][cap];
            float[][] sHere = new float[g.heads][cap], sThere = new float[g.heads][cap];
            FloatPointer src = new FloatPointer(attn);
            return new LogitGradRows() {
                @Override
                public void startBlock(Block blk) {
                    copyRows(g, gout, g.nd, blk, blk.z, 0, 0, blk.len, goutHere);
                    copyRows(g, s, g.heads, blk, blk.z, 0, 0, blk.len, sHere);
                }

                @Override
                public void read(Block blk, Pairs pairs, int n, int slab, int shift, boolean here, float[][] rows) {
                    readRows(g, src, blk, n, slab, shift, pairs.start, pairs.end, rows);
                    if (!here) {
                        copyRows(g, gout, g.nd, blk, slab, shift, pairs.start, pairs.end, goutThere);
                        copyRows(g, s, g.heads, blk, slab, shift, pairs.start, pairs.end, sThere);
                    }
                    logitGrad(g, blk, pairs, n, here ? goutHere : goutThere, here ? sHere : sThere, weightGrad, rows);
                }
            };
        });
    }

    /** s[b, p] = Σ_d gout[b, d, p]·out[b, d, p] (one head): small, so on the calling thread. */
    private static void outputDots(Geometry g, float[] gout, float[] out, float[] s) {
        int positions = g.depth * g.slab;
        for (int b = 0; b < g.batch; b++) {
            for (int d = 0; d < g.nd; d++) {
                int from = (b * g.nd + d) * positions, to = b * positions;
                for (int p = 0; p < positions; p++) s[to + p] += gout[from + p] * out[from + p];
            }
        }
    }

    /** s[b, j, p] = Σ_n attn[b, n, j, p] · a_n(p), a_n = (1/h) Σ_d v_n[d]·gout[b, d, p], block by block. */
    private static void softmaxDots(Geometry g, FloatPointer attn, float[] gout, float[] s, int threads) {
        parallel(g.blocks(), threads, () -> {
            int cap = g.blockCapacity();
            float[][] rows = new float[g.heads][cap];
            float[][] goutHere = new float[g.nd][cap];
            float[][] acc = new float[g.heads][cap];
            float[] weightGrad = new float[cap];
            FloatPointer src = new FloatPointer(attn);
            Block blk = new Block();
            return index -> {
                blk.set(g, index);
                int len = blk.len;
                copyRows(g, gout, g.nd, blk, blk.z, 0, 0, len, goutHere);
                for (int j = 0; j < g.heads; j++) Arrays.fill(acc[j], 0, len, 0f);
                for (int n = 0; n < g.offsets; n++) {
                    readRows(g, src, blk, n, blk.z, 0, 0, len, rows);
                    weightGrad(g, n, goutHere, weightGrad, 0, len);
                    for (int j = 0; j < g.heads; j++) mac1(acc[j], rows[j], weightGrad, 0, len);
                }
                for (int j = 0; j < g.heads; j++) System.arraycopy(acc[j], 0, s, blk.start(g, g.heads, j, blk.z), len);
            };
        });
    }

    /**
     * rows[j] = attn[n, j]·(a_n − s_j) over the pairs' range, 0 at the masked border columns: the logits' gradient
     * where {@code rows} holds the weights and {@code gout}, {@code s} the values at the same positions.
     */
    private static void logitGrad(Geometry g, Block blk, Pairs pairs, int n, float[][] gout, float[][] s,
                                  float[] weightGrad, float[][] rows) {
        int from = pairs.start, to = pairs.end;
        if (g.heads == 1 && g.nd == 3) { // the common 3D case in one pass
            float[] r = rows[0], s0 = s[0], g0 = gout[0], g1 = gout[1], g2 = gout[2];
            float c0 = g.offset(n, 0), c1 = g.offset(n, 1), c2 = g.offset(n, 2);
            for (int i = from; i < to; i++) r[i] *= c0 * g0[i] + c1 * g1[i] + c2 * g2[i] - s0[i];
            pairs.maskOutside(r, blk, g.cols, 0f);
            return;
        }
        weightGrad(g, n, gout, weightGrad, from, to);
        for (int j = 0; j < g.heads; j++) {
            float[] r = rows[j], sj = s[j];
            for (int i = from; i < to; i++) r[i] *= weightGrad[i] - sj[i];
            pairs.maskOutside(r, blk, g.cols, 0f);
        }
    }

    /** a[i] = (1/h) Σ_d v_n[d]·gout[d][i] for i in [from, to): the gradient of the weight of offset n. */
    private static void weightGrad(Geometry g, int n, float[][] gout, float[] a, int from, int to) {
        float inv = 1f / g.heads;
        float c0 = g.offset(n, 0) * inv, c1 = g.offset(n, 1) * inv;
        float[] g0 = gout[0], g1 = gout[1];
        if (g.nd == 2) {
            for (int i = from; i < to; i++) a[i] = c0 * g0[i] + c1 * g1[i];
        } else {
            float c2 = g.offset(n, 2) * inv;
            float[] g2 = gout[2];
            for (int i = from; i < to; i++) a[i] = c0 * g0[i] + c1 * g1[i] + c2 * g2[i];
        }
    }

    /** rows[c][i] = t[b, c, slab, position i of the block + shift] for i in [from, to), t a Java (B, channels, *S) array. */
    private static void copyRows(Geometry g, float[] t, int channels, Block blk, int slab, int shift, int from, int to,
                                 float[][] rows) {
        for (int c = 0; c < channels; c++) System.arraycopy(t, blk.start(g, channels, c, slab) + shift + from, rows[c], from, to - from);
    }

    /** The native flat index of channel c, row y0 of the block's slab in a (B, channels, *S) tensor. */
    private static long blockAt(Geometry g, Block blk, int channels, int c) {
        return (((long) blk.b * channels + c) * g.depth + blk.z) * g.slab + (long) blk.y0 * g.cols;
    }

    private static void add(float[] acc, float[] a, int from, int to) {
        for (int i = from; i < to; i++) acc[i] += a[i];
    }

    private static void axpy(float[] acc, float alpha, float[] a, int from, int to) {
        for (int i = from; i < to; i++) acc[i] += alpha * a[i];
    }

    private static void divide(float[] a, float by, int len) {
        for (int i = 0; i < len; i++) a[i] /= by;
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
