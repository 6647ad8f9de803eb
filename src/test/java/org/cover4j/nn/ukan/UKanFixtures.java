package org.cover4j.nn.ukan;

import org.bytedeco.pytorch.Tensor;
import org.cover4j.io.NpyArray;
import org.cover4j.io.Npz;
import org.cover4j.io.StateDicts;
import org.cover4j.nn.Params;
import org.cover4j.torch.Devices;
import org.cover4j.torch.Tensors;
import org.cover4j.util.Rng;
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

/**
 * The U-KAN reference fixtures in ../shared/reference/backbones (made by the official code, see the README there);
 * tests that need them skip when they are absent.
 */
final class UKanFixtures {
    /** The README's structurally-zero gradients: conv biases followed by a BatchNorm in training mode. */
    static final List<String> STRUCTURALLY_ZERO = structurallyZero();

    private UKanFixtures() {}

    static Path dir() {
        return Path.of("..", "shared", "reference", "backbones");
    }

    static Path file(String name) {
        Path p = dir().resolve(name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "reference fixture " + p + " not present");
        return p;
    }

    static Map<String, NpyArray> load(String name) {
        return Npz.read(file(name));
    }

    /** The fixtures' small U-KAN (with its head) holding {@code ukan_small_params.npz}. */
    static UKan model(Params params) {
        UKan model = UKan.withOfficialHead(params, "", UKanConfig.tiny(64), 3, new Rng(11));
        model.importOfficial(StateDicts.read(file("ukan_small_params.npz")));
        return model;
    }

    static Params cpuParams() {
        return new Params(Devices.parse("cpu"));
    }

    static Tensor tensor(NpyArray a) {
        return Tensors.of(a.floats(), a.shape());
    }

    /**
     * Asserts {@code max|actual − expected| ≤ tol · max|expected|} (the README's relative-to-scale error) and
     * returns that relative error.
     */
    static double assertNear(String what, NpyArray expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        double[] e = expected.doubles();
        double[] a = doubles(actual);
        double scale = 0;
        double worst = 0;
        int at = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            double d = Math.abs(a[i] - e[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        double rel = scale == 0 ? worst : worst / scale;
        if (!(rel <= tol)) {
            fail(String.format("%s: element %d is %.9g, expected %.9g (max |diff| %.3g = %.3g of scale %.3g, allowed %.3g)",
                    what, at, a[at], e[at], worst, rel, scale, tol));
        }
        return rel;
    }

    /** The values of a float32 or float64 tensor as doubles. */
    static double[] doubles(Tensor t) {
        Tensor d = t.to(org.bytedeco.pytorch.global.torch.ScalarType.Double).contiguous();
        double[] out = new double[Math.toIntExact(d.numel())];
        new org.bytedeco.javacpp.DoublePointer(d.data_ptr()).capacity(out.length).get(out);
        return out;
    }

    /** MANIFEST.txt's 4th column for the U-KAN files: each stored tensor's float32-vs-float64 error. */
    static Map<String, Double> manifestErrors() {
        Map<String, Double> out = new HashMap<>();
        String section = "";
        try {
            for (String line : Files.readAllLines(file("MANIFEST.txt"))) {
                if (line.startsWith("== ")) {
                    section = line.substring(3).trim();
                    continue;
                }
                if (!section.startsWith("ukan_small_io") && !section.startsWith("ukan_small_grads")) continue;
                String[] cols = line.split("\t");
                if (cols.length >= 4 && !cols[3].equals("structurally-zero")) out.put(cols[0], Double.parseDouble(cols[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<String> structurallyZero() {
        List<String> names = new java.util.ArrayList<>();
        for (String conv : new String[] {"encoder1", "encoder2", "encoder3", "decoder1", "decoder2", "decoder3", "decoder4", "decoder5"}) {
            names.add(conv + ".conv.0.bias");
            names.add(conv + ".conv.3.bias");
        }
        for (String block : new String[] {"block1.0", "block2.0", "dblock1.0", "dblock2.0"}) {
            for (int k = 1; k <= 3; k++) names.add(block + ".layer.dwconv_" + k + ".dwconv.bias");
        }
        return List.copyOf(names);
    }
}
