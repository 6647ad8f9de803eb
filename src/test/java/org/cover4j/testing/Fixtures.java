package org.cover4j.testing;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.Npz;
import org.cover4j.io.NpyArray;
import org.cover4j.torch.Tensors;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The reference fixtures in ../shared/reference/fixtures; tests that need them skip when absent. */
public final class Fixtures {
    private Fixtures() {}

    public static Path dir() {
        return Path.of("..", "shared", "reference", "fixtures");
    }

    /** Loads {@code name} or skips the calling test when ../shared is not beside the checkout. */
    public static Map<String, NpyArray> load(String name) {
        Path p = dir().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "reference fixture " + p + " not present");
        return Npz.read(p);
    }

    public static Tensor tensor(NpyArray a) {
        return Tensors.of(a.floats(), a.shape());
    }

    /**
     * Asserts {@code |actual − expected| ≤ atol + rtol·|expected|} element-wise and returns the worst
     * relative-to-scale difference {@code max|Δ| / max(|expected|)} so tests can report it.
     */
    public static double assertClose(String what, float[] expected, float[] actual, double rtol, double atol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        double worst = 0;
        double scale = 0;
        int bad = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            scale = Math.max(scale, Math.abs(expected[i]));
            if (!(d <= atol + rtol * Math.abs(expected[i])) && bad < 0) bad = i;
            worst = Math.max(worst, d);
        }
        if (bad >= 0) {
            fail(String.format("%s: element %d is %.9g, expected %.9g (max abs diff %.3g, scale %.3g)",
                    what, bad, actual[bad], expected[bad], worst, scale));
        }
        return scale == 0 ? worst : worst / scale;
    }

    public static double assertClose(String what, NpyArray expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        return assertClose(what, expected.floats(), Tensors.toArray(actual), rtol, atol);
    }
}
