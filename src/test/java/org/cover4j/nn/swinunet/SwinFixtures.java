package org.cover4j.nn.swinunet;

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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Swin-Unet reference fixtures in ../shared/reference/backbones (the official code's small model at 64², see its
 * README): tests that need them skip when absent.
 */
final class SwinFixtures {
    static final int SIZE = 64;
    static final int CLASSES = 2;

    private SwinFixtures() {}

    static Path dir() {
        return Path.of("..", "shared", "reference", "backbones");
    }

    static Path file(String name) {
        Path p = dir().resolve("swinunet_small_" + name + ".npz");
        Assumptions.assumeTrue(Files.isRegularFile(p), "reference fixture " + p + " not present");
        return p;
    }

    static Map<String, NpyArray> load(String name) {
        return Npz.read(file(name));
    }

    /** The fixture's model (tiny config, official head) with the fixture's parameters loaded strictly. */
    static SwinUnet model(Params params) {
        SwinUnet net = SwinUnet.withOfficialHead(params, "", SwinUnetConfig.tiny(SIZE), 1, CLASSES, new Rng(1));
        net.importOfficial(StateDicts.read(file("params")));
        return net;
    }

    static Params cpuParams() {
        return new Params(Devices.parse("cpu"));
    }

    /** Converts every tensor of {@code params} to float64 in place (same tensor objects, so the model uses them). */
    static void toDouble(Params params) {
        for (String name : params.names()) {
            Tensor t = params.get(name);
            t.__dispatch_set_data(t.detach().to(org.bytedeco.pytorch.global.torch.ScalarType.Double));
        }
    }

    static Tensor tensor(NpyArray a) {
        return Tensors.of(a.floats(), a.shape());
    }

    /** MANIFEST.txt column 4 (float32 vs float64 relative error) of every float tensor of {@code file}. */
    static Map<String, Double> manifestErrors(String file) {
        Map<String, Double> out = new HashMap<>();
        String section = null;
        try {
            for (String line : Files.readAllLines(dir().resolve("MANIFEST.txt"))) {
                if (line.startsWith("== ")) section = line.substring(3).trim();
                String[] f = line.split("\t");
                if (file.equals(section) && f.length >= 4 && !line.startsWith("#")) {
                    out.put(f[0], f[3].equals("structurally-zero") ? 0.0 : Double.parseDouble(f[3]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Asserts max|actual − expected| ≤ {@code tol} · max|expected| (the fixtures' error measure) and returns that
     * relative difference.
     */
    static double assertNear(String what, NpyArray expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        double[] e = expected.doubles();
        Tensor a64 = actual.to(org.bytedeco.pytorch.global.torch.ScalarType.Double).contiguous();
        double[] a = new double[e.length];
        new org.bytedeco.javacpp.DoublePointer(a64.data_ptr()).capacity(e.length).get(a);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(a[i] - e[i]));
        }
        double rel = scale == 0 ? worst : worst / scale;
        if (!(rel <= tol)) fail(String.format("%s: max |diff| %.3g of scale %.3g (%.2g relative), tolerance %.2g", what, worst, scale, rel, tol));
        return rel;
    }
}
