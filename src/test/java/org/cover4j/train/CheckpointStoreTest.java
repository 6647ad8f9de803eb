package org.cover4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.cover4j.io.AtomicFiles;
import org.cover4j.util.CoverException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The step-file protocol: commit, verification with fallback, retention, refusal of non-finite values. */
class CheckpointStoreTest {
    static CheckpointStore.Tensors tensors(float value) {
        LinkedHashMap<String, float[]> v = new LinkedHashMap<>();
        v.put("w", new float[] {value, 2 * value});
        return new CheckpointStore.Tensors(v, Map.of("w", new long[] {2}), Map.of());
    }

    static Map<String, Object> doc(long step) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("step", step);
        return d;
    }

    static TreeSet<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void retentionKeepsTheNewestAndTheMilestonesWithTheirOptimizerState(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, "last.json", new ObjectMapper());
        for (long step = 1; step <= 7; step++) {
            store.commit(step, tensors(step), tensors(-step), doc(step));
            store.prune(step, 3, 2);
        }
        TreeSet<String> expected = new TreeSet<>(List.of("last.json", "last.safetensors"));
        for (long s : new long[] {2, 4, 5, 6, 7}) { // newest 3 (5, 6, 7) and the multiples of 2
            expected.addAll(List.of("step-" + s + ".json", "step-" + s + ".safetensors", "step-" + s + ".optim.safetensors"));
        }
        assertEquals(expected, names(dir));
        assertArrayEquals(Files.readAllBytes(dir.resolve("step-7.safetensors")), Files.readAllBytes(dir.resolve("last.safetensors")));
        // keepNewest 1 without milestones: only the committed step is left, however old the others.
        store.prune(7, 1, 0);
        assertEquals(new TreeSet<>(List.of("last.json", "last.safetensors", "step-7.json", "step-7.safetensors", "step-7.optim.safetensors")),
                names(dir));
    }

    @Test
    void aCheckpointWhoseFilesChangedIsSkippedForTheNewestOlderOneThatVerifies(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, "last.json", new ObjectMapper());
        for (long step = 1; step <= 3; step++) store.commit(step, tensors(step), tensors(-step), doc(step));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(err, true);
        assertEquals(dir.resolve("last.json"), store.newest(log).orElseThrow().json());
        assertEquals("", err.toString());

        // Step 3's weights replaced by other bytes of the same size (a half-finished replacement): the hash tells.
        Files.copy(dir.resolve("step-2.safetensors"), dir.resolve("step-3.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(dir.resolve("step-2.json"), store.newest(log).orElseThrow().json());
        assertTrue(err.toString().contains("step-3.safetensors has SHA-256"), err.toString());
        // Step 2's optimizer state truncated: the size tells; step 1 is next.
        Files.write(dir.resolve("step-2.optim.safetensors"), new byte[10]);
        assertEquals(dir.resolve("step-1.json"), store.newest(log).orElseThrow().json());
        assertTrue(err.toString().contains("step-2.optim.safetensors has 10 bytes"), err.toString());
        // None left: a clear error naming the folder.
        Files.delete(dir.resolve("step-1.safetensors"));
        CoverException e = assertThrows(CoverException.class, () -> store.newest(log));
        assertTrue(e.getMessage().startsWith(dir + ": holds checkpoints but none verifies"), e.getMessage());
    }

    @Test
    void nonFiniteValuesAreNeverWrittenAndTheLastGoodCheckpointStays(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, "last.json", new ObjectMapper());
        store.commit(1, tensors(1), tensors(1), doc(1));
        TreeSet<String> before = names(dir);
        byte[] manifest = Files.readAllBytes(dir.resolve("last.json"));
        CoverException e = assertThrows(CoverException.class, () -> store.commit(2, tensors(Float.NaN), tensors(1), doc(2)));
        assertEquals(CoverException.TRAINING_FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("tensor 'w' element 0 is NaN") && e.getMessage().contains("last good checkpoint: " + dir.resolve("last.json")),
                e.getMessage());
        e = assertThrows(CoverException.class, () -> store.commit(2, tensors(1), tensors(Float.POSITIVE_INFINITY), doc(2)));
        assertTrue(e.getMessage().contains("optimizer state") && e.getMessage().contains("Infinity"), e.getMessage());
        assertEquals(before, names(dir));
        assertArrayEquals(manifest, Files.readAllBytes(dir.resolve("last.json")));
    }

    @Test
    void onlyTheAtomicWritersTemporariesAreRemoved(@TempDir Path dir) throws Exception {
        for (String n : new String[] {".last.json.123456789.tmp", ".step-3.safetensors.-42.tmp", "notes.tmp", ".hidden", "step-1.json.tmp"}) {
            Files.writeString(dir.resolve(n), "x");
        }
        assertEquals(2, AtomicFiles.removeStaleTemporaries(dir).size());
        assertEquals(new TreeSet<>(List.of(".hidden", "notes.tmp", "step-1.json.tmp")), names(dir));
        assertFalse(AtomicFiles.isTemporary("last.json"));
    }
}
