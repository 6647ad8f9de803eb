package org.cover4j.cli;

import org.cover4j.io.Image;
import org.cover4j.data.phantom.Phantom;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.downstream.PhantomData;
import org.cover4j.io.MedicalImages;
import org.cover4j.io.SafeTensors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small labelled data sets and fine-tuning arguments that keep the downstream CLI tests to seconds. */
final class DownstreamFixtures {
    static final String TINY = "8,16,32,64,128,64,32,16,8";

    private DownstreamFixtures() {}

    /** 2D segmentation phantoms: DIR/train (n), DIR/val (m), DIR/test (m), PNG images/ + labels/. */
    static Path seg2d(Path dir, int train, int valTest, int size) {
        PhantomData.write(dir.resolve("train"), 2, 3, 0, train, size, null);
        PhantomData.write(dir.resolve("val"), 2, 3, 100, valTest, size, null);
        PhantomData.write(dir.resolve("test"), 2, 3, 200, valTest, size, null);
        return dir;
    }

    /**
     * 2D classification: DIR/{train,val}/{bright,dark}/case_N.png; "dark" images are the phantom at a third of its
     * brightness, so the classes are separable.
     */
    static Path cls2d(Path dir, int perClass, int size) {
        int index = 0;
        for (String split : List.of("train", "val")) {
            for (String cls : List.of("bright", "dark")) {
                for (int i = 0; i < perClass; i++, index++) {
                    Phantom p = Phantoms.image2d(5, index, size);
                    float[] v = new float[p.image().length];
                    float gain = cls.equals("dark") ? 255f / 3 : 255f;
                    for (int q = 0; q < v.length; q++) v[q] = Math.round(p.image()[q] * gain);
                    MedicalImages.write(dir.resolve(split).resolve(cls).resolve("case_" + index + ".png"),
                            new Image(v, 1, p.shape(), new double[] {1, 1}, null, "memory", "uint8"));
                }
            }
        }
        return dir;
    }

    /**
     * {@code finetune --task seg} on {@code data} with a tiny network, 32² patches, batch 2, validation every 2 steps;
     * an option in {@code more} replaces the default of the same name.
     */
    static String[] seg(Path data, Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("finetune", "--task", "seg", "--train", data.resolve("train").toString(),
                "--val", data.resolve("val").toString(), "--channels", TINY, "--patch", "32", "--batch", "2",
                "--steps", "" + steps, "--val-every", "2", "--threads", "1", "--out", out.toString()));
        List<String> extra = List.of(more);
        for (int i = a.size() - 2; i >= 1; i--) {
            if (a.get(i).startsWith("--") && extra.contains(a.get(i))) {
                a.remove(i + 1);
                a.remove(i);
            }
        }
        a.addAll(extra);
        return a.toArray(new String[0]);
    }

    /** A tiny 2-step COVER pre-training run in {@code out} (2D, 32² crops). */
    static Path pretrain(Path out) {
        CliRunner.Run r = CliRunner.run(concat(new String[] {"pretrain"}, CliRunner.tiny("--steps", "2", "--seed", "4", "--out", out.toString())));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The tensors of a safetensors file. */
    static Map<String, SafeTensors.Tensor> tensors(Path file) {
        return SafeTensors.read(file).tensors();
    }

    static Map<?, ?> json(Path file) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readValue(file.toFile(), Map.class);
    }
}
