package org.cover4j.cli;

import org.cover4j.io.Image;
import org.cover4j.data.phantom.Phantom;
import org.cover4j.data.phantom.Phantoms;
import org.cover4j.downstream.PhantomData;
import org.cover4j.io.MedicalImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.cover4j.cli.DownstreamFixtures.TINY;
import static org.cover4j.cli.DownstreamFixtures.seg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cover4j predict}: outputs keep the input's format, shape and geometry. */
class PredictCommandTest {
    @Test
    void niftiVolumesGetLabelMapsWithTheirAffineAndShape(@TempDir Path tmp) {
        // An oblique, anisotropic, shifted affine: rotation about z by 30 degrees, spacing 1.2 x 0.8 x 2.0.
        double c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
        double[][] affine = {{1.2 * c, -0.8 * s, 0, -30}, {1.2 * s, 0.8 * c, 0, 12.5}, {0, 0, 2.0, 7}, {0, 0, 0, 1}};
        Path data = tmp.resolve("vol");
        PhantomData.write(data.resolve("train"), 3, 2, 0, 2, 20, affine);
        PhantomData.write(data.resolve("val"), 3, 2, 10, 1, 20, affine);
        Path model = tmp.resolve("model");
        CliRunner.Run r = CliRunner.run("finetune", "--task", "seg", "--train", data.resolve("train").toString(), "--val",
                data.resolve("val").toString(), "--channels", TINY, "--patch", "16", "--batch", "1", "--steps", "2", "--val-every", "2",
                "--threads", "1", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        Path out = tmp.resolve("pred");
        Path input = data.resolve("val/images/case_010.nii.gz");
        r = CliRunner.run("predict", "--model", model.toString(), "--input", input.toString(), "--out", out.toString(),
                "--probabilities", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Image in = MedicalImages.read(input);
        Image labels = MedicalImages.read(out.resolve("case_010.nii.gz"));
        assertArrayEquals(in.shape(), labels.shape());
        for (int i = 0; i < 4; i++) assertArrayEquals(in.affine()[i], labels.affine()[i], 1e-4);
        for (float v : labels.data()) assertTrue(v >= 0 && v <= 4 && v == Math.rint(v), "label " + v);
        Image p0 = MedicalImages.read(out.resolve("probabilities/case_010_class0.nii.gz"));
        assertArrayEquals(in.shape(), p0.shape());
        double sum = 0;
        for (int k = 0; k < 5; k++) sum += MedicalImages.read(out.resolve("probabilities/case_010_class" + k + ".nii.gz")).data()[123];
        assertEquals(1.0, sum, 1e-4, "class probabilities sum to 1");
        assertTrue(Files.exists(out.resolve("overlays/case_010.png")));
    }

    @Test
    void picturesOfAnySizeGetPngLabelMapsOfTheirSize(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        Path model = tmp.resolve("model");
        assertEquals(0, CliRunner.run(seg(data, model, 2)).code());
        // A 40 x 56 picture: not a multiple of the 32 patch, not square.
        Phantom p = Phantoms.image2d(8, 1, 56);
        float[] v = new float[40 * 56];
        for (int i = 0; i < v.length; i++) v[i] = Math.round(p.image()[i] * 255);
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        MedicalImages.write(in.resolve("wide.png"), new Image(v, 1, new int[] {40, 56}, new double[] {1, 1}, null, "memory", "uint8"));
        Path out = tmp.resolve("pred");
        CliRunner.Run r = CliRunner.run("predict", "--model", model.toString(), "--input", in.toString(), "--out", out.toString(), "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Image labels = MedicalImages.read(out.resolve("wide.png"));
        assertArrayEquals(new int[] {40, 56}, labels.shape());
        assertTrue(Files.exists(out.resolve("overlays/wide.png")));
        assertTrue(r.out().contains("predicted 1 file(s)"), r.out());
    }

    @Test
    void inputsAreAllCheckedBeforeAnythingIsWrittenAndOutputsNeverCollide(@TempDir Path tmp) throws Exception {
        Path data = DownstreamFixtures.seg2d(tmp.resolve("seg"), 2, 1, 32);
        Path model = tmp.resolve("model");
        assertEquals(0, CliRunner.run(seg(data, model, 2)).code());
        Image picture = MedicalImages.read(data.resolve("test/images").toFile().listFiles()[0].toPath());

        // a.nii and a.nii.gz: different label maps, but both overlays would be overlays/a.png.
        Path twins = tmp.resolve("twins");
        Files.createDirectories(twins);
        MedicalImages.write(twins.resolve("a.nii"), picture);
        MedicalImages.write(twins.resolve("a.nii.gz"), picture);
        Path out = tmp.resolve("out-twins");
        CliRunner.Run r = CliRunner.run("predict", "--model", model.toString(), "--input", twins.toString(), "--out", out.toString(),
                "--threads", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("a.nii and a.nii.gz") && r.err().contains(out.resolve("overlays/a.png").toString()), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(!Files.exists(out), "nothing written");
        r = CliRunner.run("predict", "--model", model.toString(), "--input", twins.toString(), "--out", out.toString(),
                "--threads", "1", "--no-overlays");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("a.nii")) && Files.exists(out.resolve("a.nii.gz")));

        // A broken file, and a volume the 2D model cannot take, after a good one: refused before any output.
        Path mixed = tmp.resolve("mixed");
        Files.createDirectories(mixed);
        MedicalImages.write(mixed.resolve("a-good.png"), picture);
        Files.writeString(mixed.resolve("b-broken.png"), "not a picture");
        out = tmp.resolve("out-mixed");
        r = CliRunner.run("predict", "--model", model.toString(), "--input", mixed.toString(), "--out", out.toString(), "--threads", "1");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains(mixed.resolve("b-broken.png").toString()), r.err());
        assertTrue(!Files.exists(out), "no output folder, no partial outputs");
        Files.delete(mixed.resolve("b-broken.png"));
        MedicalImages.write(mixed.resolve("c-volume.nii.gz"), new Image(new float[8 * 8 * 8], 1, new int[] {8, 8, 8},
                new double[] {1, 1, 1}, null, "memory", "float32"));
        r = CliRunner.run("predict", "--model", model.toString(), "--input", mixed.toString(), "--out", out.toString(), "--threads", "1");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains(mixed.resolve("c-volume.nii.gz").toString()) && r.err().contains("model is 2D"), r.err());
        assertTrue(!Files.exists(out), "no output folder, no partial outputs");
    }

    @Test
    void classificationWritesACsvOfClassesAndProbabilities(@TempDir Path tmp) throws Exception {
        Path cls = DownstreamFixtures.cls2d(tmp.resolve("cls"), 2, 32);
        Path model = tmp.resolve("model");
        CliRunner.Run r = CliRunner.run("finetune", "--task", "cls", "--train", cls.resolve("train").toString(), "--val",
                cls.resolve("val").toString(), "--channels", TINY, "--patch", "32", "--batch", "2", "--steps", "2", "--val-every", "2",
                "--threads", "1", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        Path out = tmp.resolve("pred");
        r = CliRunner.run("predict", "--model", model.toString(), "--input", cls.resolve("val/dark").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals("case,file,pred,class,prob_bright,prob_dark", rows.get(0));
        assertEquals(3, rows.size());
        String[] f = rows.get(1).split(",");
        assertEquals(1.0, Double.parseDouble(f[4]) + Double.parseDouble(f[5]), 1e-5);
        assertEquals(f[3], f[2].equals("0") ? "bright" : "dark");
    }

    @Test
    void aFolderThatIsNotAModelIsRefused(@TempDir Path tmp) {
        CliRunner.Run r = CliRunner.run("predict", "--model", tmp.toString(), "--input", tmp.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model " + tmp) && r.err().contains("model.json"), r.err());
    }
}
