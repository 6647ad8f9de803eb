package org.cover4j.data;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A data set that keeps each sample after its first load. Loads of the same index are serialised (striped
 * locks) so that concurrent workers never read one file twice; different indices load in parallel.
 */
final class CachedDataset implements Dataset {
    private static final int STRIPES = 64;
    private final Dataset source;
    private final AtomicReferenceArray<Sample> cache;
    private final Object[] locks = new Object[STRIPES];

    CachedDataset(Dataset source) {
        this.source = source;
        this.cache = new AtomicReferenceArray<>(source.size());
        for (int i = 0; i < STRIPES; i++) locks[i] = new Object();
    }

    @Override
    public int size() {
        return cache.length();
    }

    @Override
    public Sample get(int index) {
        Sample s = cache.get(index);
        if (s != null) return s;
        synchronized (locks[index % STRIPES]) {
            s = cache.get(index);
            if (s == null) {
                s = source.get(index);
                cache.set(index, s);
            }
            return s;
        }
    }

    @Override
    public String id(int index) {
        Sample s = cache.get(index);
        return s != null ? s.id() : source.id(index);
    }
}
