package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class SplitsTest {

    @Test
    void countsPartitionTheIndices() {
        Splits.Indices s = Splits.byCounts(20, 3, 5, 11);
        assertEquals(12, s.train().length);
        assertEquals(3, s.val().length);
        assertEquals(5, s.test().length);
        Set<Integer> all = new HashSet<>();
        for (int[] part : List.of(s.train(), s.val(), s.test())) {
            int[] sorted = part.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, part, "parts come out sorted");
            for (int i : part) assertTrue(all.add(i), "index " + i + " in two parts");
        }
        assertEquals(20, all.size());
    }

    @Test
    void stableForASeedAndDifferentAcrossSeeds() {
        Splits.Indices a = Splits.byCounts(30, 5, 5, 7);
        Splits.Indices b = Splits.byCounts(30, 5, 5, 7);
        assertArrayEquals(a.test(), b.test());
        assertArrayEquals(a.val(), b.val());
        boolean differs = false;
        for (long seed = 8; seed < 12; seed++) differs |= !Arrays.equals(a.test(), Splits.byCounts(30, 5, 5, seed).test());
        assertTrue(differs);
    }

    @Test
    void fractionsRound() {
        // round(103 * 0.1) = 10, round(103 * 0.2) = 21
        Splits.Indices s = Splits.byFractions(103, 0.1, 0.2, 0);
        assertEquals(10, s.val().length);
        assertEquals(21, s.test().length);
        assertEquals(72, s.train().length);
    }

    @Test
    void impossibleSplitsAreRefused() {
        assertThrows(CoverException.class, () -> Splits.byCounts(5, 3, 2, 0));
        assertThrows(CoverException.class, () -> Splits.byFractions(10, 0.6, 0.4, 0));
        assertThrows(CoverException.class, () -> Splits.byCounts(5, -1, 0, 0));
    }

    @Test
    void labelFractionKeepsOrderAndCount() {
        List<Integer> items = IntStream.range(0, 40).boxed().toList();
        List<Integer> kept = Splits.labelFraction(items, 0.25, new Rng(1));
        assertEquals(10, kept.size());
        List<Integer> sorted = new ArrayList<>(kept);
        sorted.sort(null);
        assertEquals(sorted, kept);
        assertEquals(kept, Splits.labelFraction(items, 0.25, new Rng(1)));
        assertEquals(1, Splits.labelFraction(List.of(5, 6), 0.1, new Rng(1)).size()); // at least one
    }

    @Test
    void stratifiedLabelFractionKeepsEveryClass() {
        // 18 of class 0, 2 of class 1: 10% keeps round(1.8) = 2 of class 0 and max(1, round(0.2)) = 1 of class 1
        List<int[]> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) items.add(new int[] {i, i < 18 ? 0 : 1});
        List<int[]> kept = Splits.labelFraction(items, it -> it[1], 0.1, new Rng(4));
        assertEquals(2, kept.stream().filter(it -> it[1] == 0).count());
        assertEquals(1, kept.stream().filter(it -> it[1] == 1).count());
        assertThrows(CoverException.class, () -> Splits.labelFraction(items, 0, new Rng(4)));
    }
}
