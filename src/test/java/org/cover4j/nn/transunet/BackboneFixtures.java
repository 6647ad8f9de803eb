package org.cover4j.nn.transunet;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.cover4j.io.NpyArray;
import org.cover4j.io.Npz;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The backbone fixtures of ../shared/reference/backbones (official PyTorch runs); tests skip when they are absent. */
final class BackboneFixtures {
    static final Path DIR = Path.of("..", "shared", "reference", "backbones");

    private BackboneFixtures() {}

    static Path file(String name) {
        Path p = DIR.resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "backbone fixture " + p + " not present");
        return p;
    }

    static Map<String, NpyArray> load(String name) {
        return Npz.read(file(name));
    }

    /**
     * MANIFEST.txt's fourth column for one file: max|float32 − float64| / max|float64| of each stored tensor, or
     * NaN for "structurally-zero" gradients.
     */
    static Map<String, Double> float64Errors(String npz) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file("MANIFEST.txt"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Double> out = new HashMap<>();
        boolean inside = false;
        for (String line : lines) {
            if (line.startsWith("== ")) {
                inside = line.equals("== " + npz);
                continue;
            }
            String[] cols = line.split("\t");
            if (!inside || cols.length < 4) continue;
            out.put(cols[0], cols[3].equals("structurally-zero") ? Double.NaN : Double.parseDouble(cols[3]));
        }
        return out;
    }

    /** The values of a float32 or float64 tensor as doubles (C order). */
    static double[] doubles(Tensor t) {
        Tensor c = t.to(torch.ScalarType.Double).contiguous();
        double[] out = new double[Math.toIntExact(c.numel())];
        new DoublePointer(c.data_ptr()).capacity(out.length).get(out);
        return out;
    }

    /** max|actual − expected| / max|expected| after checking the shape. */
    static double scaledError(String what, NpyArray expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        return scaledError(expected.doubles(), doubles(actual));
    }

    static double scaledError(double[] expected, double[] actual) {
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? worst : worst / scale;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, Math.abs(d));
        return m;
    }

    static void assertScaled(String what, NpyArray expected, Tensor actual, double tol) {
        double err = scaledError(what, expected, actual);
        if (!(err <= tol)) fail(String.format("%s: max |difference| / max |expected| = %.3g, tolerance %.3g", what, err, tol));
    }
}
