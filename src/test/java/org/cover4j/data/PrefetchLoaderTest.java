package org.cover4j.data;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

class PrefetchLoaderTest {
    private static final int SIZE = 7;
    private static final long SEED = 42;

    /** An item records its data set index and a draw from its own generator; it takes a varying short time. */
    private static final PrefetchLoader.ItemFunction<String> ITEM = (index, rng) -> {
        long draw = rng.nextLong();
        Thread.sleep(Math.floorMod(draw, 3)); // scramble the finishing order between workers
        return index + ":" + draw;
    };

    private static List<String> take(PrefetchLoader<String> loader, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(loader.next());
        return out;
    }

    private static List<String> run(int workers, long start, int n) {
        try (PrefetchLoader<String> l = new PrefetchLoader<>(SIZE, SEED, workers, 3, true, ITEM, start)) {
            return take(l, n);
        }
    }

    @Test
    void sameSequenceForAnyWorkerCount() {
        List<String> inline = run(0, 0, 3 * SIZE);
        for (int w : new int[] {1, 2, 4}) assertEquals(inline, run(w, 0, 3 * SIZE), "workers " + w);
    }

    @Test
    void itemsAreMadeFromEpochAndPlaceOnly() {
        // independent re-computation of the documented rule
        List<String> got = run(2, 0, 2 * SIZE);
        Rng root = new Rng(SEED);
        for (int e = 0; e < 2; e++) {
            int[] order = {0, 1, 2, 3, 4, 5, 6};
            root.derive(0, e).shuffle(order);
            for (int i = 0; i < SIZE; i++) {
                assertEquals(order[i] + ":" + root.derive(1, e, i).nextLong(), got.get(e * SIZE + i));
            }
        }
    }

    @Test
    void eachEpochIsAPermutationAndEpochsDiffer() {
        List<String> got = run(2, 0, 3 * SIZE);
        List<int[]> orders = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            int[] idx = got.subList(e * SIZE, (e + 1) * SIZE).stream()
                    .mapToInt(s -> Integer.parseInt(s.substring(0, s.indexOf(':')))).toArray();
            int[] sorted = idx.clone();
            Arrays.sort(sorted);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, sorted);
            orders.add(idx);
        }
        assertFalse(Arrays.equals(orders.get(0), orders.get(1)) && Arrays.equals(orders.get(1), orders.get(2)),
                "three epochs in the same order");
    }

    @Test
    void withoutShuffleTheOrderIsTheIdentity() {
        try (PrefetchLoader<String> l = new PrefetchLoader<>(SIZE, SEED, 2, 2, false, ITEM)) {
            for (int p = 0; p < 2 * SIZE; p++) {
                assertTrue(l.next().startsWith((p % SIZE) + ":"));
                assertEquals(p + 1, l.position());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 5, 7, 11})
    void resumeEqualsUninterrupted(long start) {
        List<String> full = run(1, 0, 3 * SIZE);
        List<String> resumed = run(4, start, 3 * SIZE - (int) start);
        assertEquals(full.subList((int) start, 3 * SIZE), resumed);
    }

    @Test
    void positionCountsFromTheStart() {
        try (PrefetchLoader<String> l = new PrefetchLoader<>(SIZE, SEED, 2, 2, true, ITEM, 9)) {
            assertEquals(9, l.position());
            assertEquals(1, l.epoch());
            l.next();
            assertEquals(10, l.position());
        }
    }

    @Test
    void workerFailureIsRethrownWithItsPosition() {
        PrefetchLoader.ItemFunction<Integer> failing = (index, rng) -> {
            if (index == 3) throw new CoverException("img03.png: truncated");
            return index;
        };
        try (PrefetchLoader<Integer> l = new PrefetchLoader<>(SIZE, SEED, 2, 4, false, failing)) {
            assertEquals(List.of(0, 1, 2), List.of(l.next(), l.next(), l.next()));
            CoverException e = assertThrows(CoverException.class, l::next);
            assertTrue(e.getMessage().contains("item 3") && e.getMessage().contains("data set index 3")
                    && e.getMessage().contains("img03.png: truncated"), e.getMessage());
            assertEquals(CoverException.BAD_DATA, e.exitCode());
            assertSame(e, assertThrows(CoverException.class, l::next)); // stays failed
        }
    }

    @Test
    void bugsInWorkersBecomeInternalErrors() {
        PrefetchLoader.ItemFunction<Integer> buggy = (index, rng) -> {
            throw new IllegalStateException("oops");
        };
        try (PrefetchLoader<Integer> l = new PrefetchLoader<>(SIZE, SEED, 1, 1, true, buggy)) {
            CoverException e = assertThrows(CoverException.class, l::next);
            assertEquals(CoverException.INTERNAL, e.exitCode());
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    @Test
    void closeDoesNotHangOnBlockedWorkers() {
        CountDownLatch never = new CountDownLatch(1);
        PrefetchLoader.ItemFunction<Integer> slow = (index, rng) -> {
            if (index > 0) never.await(); // blocks until interrupted
            return index;
        };
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            PrefetchLoader<Integer> l = new PrefetchLoader<>(SIZE, SEED, 3, 2, false, slow);
            assertEquals(0, l.next());
            l.close();
            l.close(); // idempotent
            assertThrows(IllegalStateException.class, l::next);
        });
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(CoverException.class, () -> new PrefetchLoader<>(0, 1, 1, 1, true, ITEM));
        assertThrows(CoverException.class, () -> new PrefetchLoader<>(3, 1, 1, 0, true, ITEM));
        assertThrows(CoverException.class, () -> new PrefetchLoader<>(3, 1, -1, 1, true, ITEM));
    }
}
