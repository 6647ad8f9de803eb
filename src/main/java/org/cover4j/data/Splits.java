package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Seeded train/validation/test splits and labelled subsets. The same (size, counts, seed) always gives the
 * same split on every machine; index lists come out sorted ascending.
 */
public final class Splits {
    private Splits() {}

    /** Indices of each part of a split. */
    public record Indices(int[] train, int[] val, int[] test) {
        public int[] of(Split s) {
            return switch (s) {
                case TRAIN -> train.clone();
                case VAL -> val.clone();
                case TEST -> test.clone();
            };
        }
    }

    /**
     * Splits {@code 0..n-1}: a seeded permutation, the first {@code nTest} to test, the next {@code nVal} to
     * validation, the rest to training. Training may not end up empty.
     */
    public static Indices byCounts(int n, int nVal, int nTest, long seed) {
        if (nVal < 0 || nTest < 0) throw CoverException.usage("split counts must be >= 0, got val " + nVal + ", test " + nTest);
        if ((long) nVal + nTest >= n) {
            throw CoverException.usage("cannot split " + n + " items into val " + nVal + " + test " + nTest
                    + " and a non-empty training set");
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        new Rng(seed).derive(0x5B117L).shuffle(perm);
        int[] test = Arrays.copyOfRange(perm, 0, nTest);
        int[] val = Arrays.copyOfRange(perm, nTest, nTest + nVal);
        int[] train = Arrays.copyOfRange(perm, nTest + nVal, n);
        Arrays.sort(test);
        Arrays.sort(val);
        Arrays.sort(train);
        return new Indices(train, val, test);
    }

    /** As {@link #byCounts} with {@code round(n * fraction)} items for validation and test. */
    public static Indices byFractions(int n, double valFraction, double testFraction, long seed) {
        if (!(valFraction >= 0 && testFraction >= 0 && valFraction + testFraction < 1)) {
            throw CoverException.usage("split fractions must be >= 0 with val + test < 1, got val " + valFraction
                    + ", test " + testFraction);
        }
        return byCounts(n, (int) Math.round(n * valFraction), (int) Math.round(n * testFraction), seed);
    }

    /**
     * A random {@code fraction} of {@code items} (at least one), in their original order: the labelled subset
     * for a "fraction of labels" experiment on segmentation.
     */
    public static <T> List<T> labelFraction(List<T> items, double fraction, Rng rng) {
        return labelFraction(items, t -> 0, fraction, rng);
    }

    /**
     * A stratified random {@code fraction} of {@code items}: per class {@code max(1, round(n_c * fraction))}
     * items, so that every class keeps at least one example; original order kept.
     */
    public static <T> List<T> labelFraction(List<T> items, ToIntFunction<T> classOf, double fraction, Rng rng) {
        if (!(fraction > 0 && fraction <= 1)) throw CoverException.usage("label fraction must be in (0, 1], got " + fraction);
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            byClass.computeIfAbsent(classOf.applyAsInt(items.get(i)), k -> new ArrayList<>()).add(i);
        }
        boolean[] keep = new boolean[items.size()];
        for (List<Integer> members : byClass.values()) {
            int[] idx = members.stream().mapToInt(Integer::intValue).toArray();
            rng.shuffle(idx);
            int k = (int) Math.max(1, Math.round(idx.length * fraction));
            for (int j = 0; j < k; j++) keep[idx[j]] = true;
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) if (keep[i]) out.add(items.get(i));
        return out;
    }
}
