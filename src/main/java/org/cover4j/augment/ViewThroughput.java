package org.cover4j.augment;

import org.cover4j.data.phantom.Phantom;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.util.Rng;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures how many COVER view pairs per second the CPU makes ({@link CoverViews#make}, paper appearance
 * mode, degree 1.5) — the number a training loop's data loader must beat. Inputs are a few phantoms at
 * loader size {@code int(1.5·size)} generated beforehand (not timed); pair {@code i} uses {@code root.derive(i)}.
 */
public final class ViewThroughput {
    private static final int INPUTS = 4;

    private ViewThroughput() {}

    /**
     * Pairs per second for crops of {@code size} per axis, {@code dim} = 2 or 3, with {@code threads} workers of
     * a fixed pool, over about {@code seconds} seconds after a short untimed warm-up.
     */
    public static double measure(int dim, int size, int seconds, int threads) {
        if (dim != 2 && dim != 3) throw new IllegalArgumentException("dim must be 2 or 3, got " + dim);
        if (size < 16 || seconds < 1 || threads < 1) throw new IllegalArgumentException("size ≥ 16, seconds ≥ 1, threads ≥ 1 required");
        int loader = (int) (1.5 * size);
        int[] shape = new int[dim];
        java.util.Arrays.fill(shape, loader);
        float[][] images = new float[INPUTS][];
        for (int i = 0; i < INPUTS; i++) {
            Phantom p = dim == 2 ? Phantoms.image2d(1, i, loader) : Phantoms.volume3d(1, i, loader);
            images[i] = p.image();
        }
        Rng root = new Rng(20250101);
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "view-throughput");
            t.setDaemon(true);
            return t;
        });
        try {
            long warmupEnd = System.nanoTime() + Math.min(1_000_000_000L, seconds * 200_000_000L);
            run(pool, threads, warmupEnd, images, shape, size, root, next);
            long start = System.nanoTime();
            long count = run(pool, threads, start + seconds * 1_000_000_000L, images, shape, size, root, next);
            double elapsed = (System.nanoTime() - start) / 1e9;
            return count / elapsed;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long run(ExecutorService pool, int threads, long deadline, float[][] images, int[] shape, int size,
                            Rng root, AtomicLong next) {
        List<Future<Long>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                long made = 0;
                while (System.nanoTime() < deadline) {
                    long i = next.getAndIncrement();
                    ViewPair pair = CoverViews.make(images[(int) (i % INPUTS)], 1, shape, size,
                            RandomAffineFlow.DEFAULT_DEGREE, AppearanceMode.PAPER, root.derive(i));
                    if (pair.mask().length == 0) throw new IllegalStateException("empty view pair");
                    made++;
                }
                return made;
            }));
        }
        long total = 0;
        try {
            for (Future<Long> f : futures) total += f.get(1, TimeUnit.HOURS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("view throughput measurement interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("view generation failed: " + e.getMessage(), e);
        }
        return total;
    }
}
