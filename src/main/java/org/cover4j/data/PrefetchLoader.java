package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes items in background threads and hands them out in order, epoch after epoch, forever.
 *
 * <p>Determinism: the item at global position {@code p} (epoch {@code e = p / size}, place {@code i = p % size})
 * is {@code fn.apply(order_e[i], rng.derive(1, e, i))} where {@code order_e} is the identity or, with shuffling,
 * a permutation drawn from {@code rng.derive(0, e)}, and {@code rng = new Rng(seed)}. It depends on (seed, e, i)
 * only, so the sequence is the same for any number of workers, any timing, and when started at a position
 * (resume) instead of from zero.
 *
 * <p>At most {@code queueCapacity} items are made ahead of the consumer. An exception thrown while making an
 * item is rethrown from {@link #next()} when that item's turn comes, as a {@link CoverException} that names the
 * position and data set index (a {@code CoverException} keeps its exit code); the loader then stops.
 * {@link #close()} stops the workers without waiting for the item they are making (at most a short grace
 * period); workers are daemon threads.
 *
 * @param <T> the item type (a sample, a pair of views, a batch element)
 */
public final class PrefetchLoader<T> implements AutoCloseable {

    /** Makes one item from a data set index and the item's own random generator. */
    @FunctionalInterface
    public interface ItemFunction<T> {
        T apply(int datasetIndex, Rng rng) throws Exception;
    }

    private static final long CLOSE_GRACE_MS = 2000;

    private final int size;
    private final boolean shuffle;
    private final Rng root;
    private final ItemFunction<T> fn;
    private final int capacity;
    private final Thread[] workers;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final Condition space = lock.newCondition();
    private final Map<Long, Object> done = new HashMap<>(); // position -> item or Failure
    private final Map<Long, int[]> orders = new HashMap<>(); // epoch -> order
    private long delivered;
    private long claimed;
    private boolean closed;
    private RuntimeException failure;

    private record Failure(Throwable error) {}

    public PrefetchLoader(int size, long seed, int workers, int queueCapacity, boolean shuffle, ItemFunction<T> fn) {
        this(size, seed, workers, queueCapacity, shuffle, fn, 0L);
    }

    /**
     * @param size          number of items per epoch (the data set size), &gt; 0
     * @param seed          seed of the order and of each item's generator
     * @param workers       background threads; 0 makes each item in the caller's thread inside {@link #next()}
     * @param queueCapacity how many items may be made ahead of the consumer, &gt; 0
     * @param shuffle       a new seeded permutation each epoch, or the identity order
     * @param fn            makes one item
     * @param startPosition global position of the first item {@link #next()} returns (resume), &ge; 0
     */
    public PrefetchLoader(int size, long seed, int workers, int queueCapacity, boolean shuffle, ItemFunction<T> fn,
                          long startPosition) {
        if (size <= 0) throw new CoverException("cannot load from an empty data set");
        if (workers < 0 || queueCapacity <= 0 || startPosition < 0) {
            throw CoverException.usage("loader needs workers >= 0, queue capacity > 0 and a start position >= 0; got "
                    + workers + ", " + queueCapacity + ", " + startPosition);
        }
        this.size = size;
        this.shuffle = shuffle;
        this.root = new Rng(seed);
        this.fn = fn;
        this.capacity = queueCapacity;
        this.delivered = startPosition;
        this.claimed = startPosition;
        this.workers = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            Thread t = new Thread(this::work, "cover4j-prefetch-" + w);
            t.setDaemon(true);
            this.workers[w] = t;
            t.start();
        }
    }

    /** Items per epoch. */
    public int size() {
        return size;
    }

    /** Number of items delivered so far, counted from position 0 (a resumed loader starts at its start position). */
    public long position() {
        lock.lock();
        try {
            return delivered;
        } finally {
            lock.unlock();
        }
    }

    /** The epoch of the next item. */
    public long epoch() {
        return position() / size;
    }

    /** The data set index that the item at global {@code position} is made from. */
    public int datasetIndex(long position) {
        long e = position / size;
        int i = (int) (position % size);
        if (!shuffle) return i;
        int[] order;
        synchronized (orders) {
            order = orders.get(e);
            if (order == null) {
                order = new int[size];
                for (int k = 0; k < size; k++) order[k] = k;
                root.derive(0, e).shuffle(order);
                orders.keySet().removeIf(old -> old < e - 1); // keep the current and previous epoch only
                orders.put(e, order);
            }
        }
        return order[i];
    }

    /** The item at global {@code position}, made in the calling thread (what a worker computes). */
    private Object make(long position) {
        long e = position / size;
        int i = (int) (position % size);
        int index = -1;
        try {
            index = datasetIndex(position);
            return fn.apply(index, root.derive(1, e, i));
        } catch (Throwable t) {
            return new Failure(wrap(t, position, index));
        }
    }

    private CoverException wrap(Throwable t, long position, int index) {
        String msg = "loading item " + position + " (epoch " + position / size + ", data set index " + index + ") failed: "
                + (t.getMessage() != null ? t.getMessage() : t.toString());
        int code = t instanceof CoverException ce ? ce.exitCode() : CoverException.INTERNAL;
        return new CoverException(msg, code, t);
    }

    private void work() {
        while (true) {
            long p;
            lock.lock();
            try {
                while (!closed && claimed >= delivered + capacity) space.awaitUninterruptibly();
                if (closed) return;
                p = claimed++;
            } finally {
                lock.unlock();
            }
            Object item = make(p);
            lock.lock();
            try {
                if (closed) return;
                done.put(p, item);
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** The next item in order; blocks until it is ready. Rethrows a failure to make it (see the class comment). */
    @SuppressWarnings("unchecked")
    public T next() {
        Object item;
        lock.lock();
        try {
            if (failure != null) throw failure;
            if (closed) throw new IllegalStateException("loader is closed");
            if (workers.length == 0) {
                item = make(delivered);
            } else {
                while (!done.containsKey(delivered)) {
                    try {
                        ready.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CoverException("interrupted while waiting for data", CoverException.TRAINING_FAILED, e);
                    }
                    if (closed && !done.containsKey(delivered)) throw new IllegalStateException("loader is closed");
                }
                item = done.remove(delivered);
            }
            if (item instanceof Failure f) {
                failure = (RuntimeException) f.error();
            } else {
                delivered++;
                space.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            close();
            throw failure;
        }
        return (T) item;
    }

    /** Stops the workers; pending items are dropped. Safe to call more than once. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            done.clear();
            space.signalAll();
            ready.signalAll();
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_GRACE_MS);
        for (Thread t : workers) {
            t.interrupt();
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) break;
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
