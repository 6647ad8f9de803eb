package org.cover4j.data;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The one way data flows into training and evaluation: an indexed, finite collection of {@link Sample}s.
 * Implementations load lazily ({@link #get} reads files when called) and must be safe to call from several
 * threads at once (the prefetching loader does). Wrap with {@link #cached()} to keep loaded samples in memory.
 */
public interface Dataset {
    int size();

    /** The sample at {@code index} (0 ≤ index < size()); may read files. */
    Sample get(int index);

    /** The id of the sample at {@code index}, without loading it where the implementation can. */
    default String id(int index) {
        return get(index).id();
    }

    /** This data set with every loaded sample kept in memory after its first {@link #get}. */
    default Dataset cached() {
        return this instanceof CachedDataset ? this : new CachedDataset(this);
    }

    /**
     * This data set with {@code f} applied to each sample as it is loaded (preprocessing). {@code f} must keep
     * the id; {@link #id} of the result is answered by this data set without loading.
     */
    default Dataset map(UnaryOperator<Sample> f) {
        Dataset src = this;
        return new Dataset() {
            @Override public int size() { return src.size(); }
            @Override public Sample get(int index) { return f.apply(src.get(index)); }
            @Override public String id(int index) { return src.id(index); }
        };
    }

    /** The samples at {@code indices} of this data set, in that order. */
    default Dataset subset(int[] indices) {
        Dataset src = this;
        int[] idx = indices.clone();
        for (int i : idx) {
            if (i < 0 || i >= src.size()) {
                throw new IndexOutOfBoundsException("subset index " + i + " outside data set of size " + src.size());
            }
        }
        return new Dataset() {
            @Override public int size() { return idx.length; }
            @Override public Sample get(int index) { return src.get(idx[index]); }
            @Override public String id(int index) { return src.id(idx[index]); }
        };
    }

    /** An in-memory data set (tests, synthetic data). */
    static Dataset of(List<Sample> samples) {
        List<Sample> copy = List.copyOf(samples);
        return new Dataset() {
            @Override public int size() { return copy.size(); }
            @Override public Sample get(int index) { return copy.get(index); }
        };
    }
}
