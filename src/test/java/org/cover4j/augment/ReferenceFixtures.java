package org.cover4j.augment;

import org.cover4j.io.Npz;
import org.cover4j.io.NpyArray;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads the reference fixtures from {@code ../shared/reference/fixtures}; tests skip when they are absent. */
final class ReferenceFixtures {
    private static final Path DIR = Path.of("..", "shared", "reference", "fixtures");

    private ReferenceFixtures() {}

    static Map<String, NpyArray> load(String name) {
        Path file = DIR.resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(file), "reference fixture " + file + " not present");
        return Npz.read(file);
    }

    /** Sample {@code b} of a batched array {@code (B, ...)}. */
    static float[] sample(NpyArray a, int b) {
        float[] all = a.floats();
        int per = all.length / (int) a.shape()[0];
        float[] out = new float[per];
        System.arraycopy(all, b * per, out, 0, per);
        return out;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("length " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    static int countDifferent(float[] a, float[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) n++;
        return n;
    }
}
