package org.cover4j.cli;

import org.cover4j.io.Image;
import org.cover4j.io.MedicalImages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cover4j slices} on a small synthetic volume whose voxel values encode their own index
 * ({@code v(i,j,k) = 100 i + 10 j + k + 0.25}), so every written slice can be checked voxel by voxel.
 */
class SlicesCommandTest {
    static final int NI = 5, NJ = 6, NK = 7;
    /** A non-trivial affine (spacing 2, 1.5, 3 mm and an offset) so that world positions are checked too. */
    static final double[][] AFFINE = {{2, 0, 0, -10}, {0, 1.5, 0, 20}, {0, 0, 3, 5}, {0, 0, 0, 1}};

    @TempDir
    static Path dir;
    static Path vol;
    static Path lab;

    static float value(int i, int j, int k) {
        return 100 * i + 10 * j + k + 0.25f;
    }

    /** Source labels 0, 1, 2, 3, 7; slice k = 0 is all background (for --skip-empty-label). */
    static int label(int i, int j, int k) {
        if (k == 0) return 0;
        int v = (i + 2 * j + k) % 5;
        return v == 4 ? 7 : v;
    }

    @BeforeAll
    static void volumes() {
        float[] v = new float[NI * NJ * NK];
        float[] l = new float[v.length];
        for (int i = 0; i < NI; i++)
            for (int j = 0; j < NJ; j++)
                for (int k = 0; k < NK; k++) {
                    v[(i * NJ + j) * NK + k] = value(i, j, k);
                    l[(i * NJ + j) * NK + k] = label(i, j, k);
                }
        vol = dir.resolve("vol.nii.gz");
        lab = dir.resolve("lab.nii.gz");
        MedicalImages.write(vol, volume(v, "float32"));
        MedicalImages.write(lab, volume(l, "uint8"));
    }

    static Image volume(float[] data, String type) {
        return new Image(data, 1, new int[] {NI, NJ, NK}, new double[] {2, 1.5, 3}, AFFINE, "memory", type);
    }

    static CliRunner.Run slices(Path out, String... more) {
        String[] base = {"slices", "--image", vol.toString(), "--out", out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRunner.run(all);
    }

    static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void axialRangeGivesNamedPairsWithTheVolumesVoxelsAndWorldPositions() throws IOException {
        Path out = dir.resolve("axial");
        CliRunner.Run r = slices(out, "--label", lab.toString(), "--from", "1", "--to", "5", "--every", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote 3 slices"), r.out());
        List<String> expected = List.of("vol_ax2_001.nii.gz", "vol_ax2_003.nii.gz", "vol_ax2_005.nii.gz");
        assertEquals(expected, names(out.resolve("images")));
        assertEquals(expected, names(out.resolve("labels")));
        for (int k : new int[] {1, 3, 5}) {
            String name = String.format("vol_ax2_%03d.nii.gz", k);
            Image img = MedicalImages.read(out.resolve("images").resolve(name));
            Image l = MedicalImages.read(out.resolve("labels").resolve(name));
            assertArrayEquals(new int[] {NI, NJ}, squeeze(img.shape()));
            double[][] a = img.affine();
            for (int i = 0; i < NI; i++)
                for (int j = 0; j < NJ; j++) {
                    assertEquals(value(i, j, k), img.data()[i * NJ + j], 0f, name + " at " + i + "," + j);
                    assertEquals(label(i, j, k), l.data()[i * NJ + j], 0f, "label " + name + " at " + i + "," + j);
                }
            // voxel (i, j) of the slice sits where voxel (i, j, k) of the volume does
            for (int row = 0; row < 3; row++) {
                double world = a[row][0] * 4 + a[row][1] * 5 + a[row][3];
                double expect = AFFINE[row][0] * 4 + AFFINE[row][1] * 5 + AFFINE[row][2] * k + AFFINE[row][3];
                assertEquals(expect, world, 1e-4, name + " world row " + row);
            }
        }
    }

    @Test
    void indicesAlongAxisZeroAndLabelMapMergesValues() throws IOException {
        Path map = dir.resolve("map.csv");
        Files.writeString(map, "from,to\n# merge 1 and 2\n1,1\n2, 1\n7,2\n");
        Path out = dir.resolve("sagittal");
        CliRunner.Run r = slices(out, "--label", lab.toString(), "--axis", "0", "--indices", "4,0", "--label-map", map.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("vol_ax0_000.nii.gz", "vol_ax0_004.nii.gz"), names(out.resolve("labels")));
        for (int i : new int[] {0, 4}) {
            String name = String.format("vol_ax0_%03d.nii.gz", i);
            float[] img = MedicalImages.read(out.resolve("images").resolve(name)).data();
            float[] l = MedicalImages.read(out.resolve("labels").resolve(name)).data();
            for (int j = 0; j < NJ; j++)
                for (int k = 0; k < NK; k++) {
                    int src = label(i, j, k);
                    int merged = src == 1 || src == 2 ? 1 : src == 7 ? 2 : 0; // 3 is not listed → 0
                    assertEquals(value(i, j, k), img[j * NK + k], 0f);
                    assertEquals(merged, l[j * NK + k], 0f, name + " at " + j + "," + k + " (source " + src + ")");
                }
        }
    }

    @Test
    void skipEmptyLabelLeavesOutBackgroundOnlySlices() throws IOException {
        Path out = dir.resolve("skip");
        CliRunner.Run r = slices(out, "--label", lab.toString(), "--to", "2", "--skip-empty-label");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("vol_ax2_001.nii.gz", "vol_ax2_002.nii.gz"), names(out.resolve("images")));
        assertTrue(r.out().contains("skipped 1"), r.out());
    }

    @Test
    void pngRescalesAFloatVolumeFromItsMinMaxAndKeepsLabels() throws IOException {
        Path out = dir.resolve("png");
        CliRunner.Run r = slices(out, "--label", lab.toString(), "--indices", "0,6", "--format", "png");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("vol_ax2_000.png", "vol_ax2_006.png"), names(out.resolve("images")));
        float min = value(0, 0, 0), max = value(NI - 1, NJ - 1, NK - 1);
        for (int k : new int[] {0, 6}) {
            String name = String.format("vol_ax2_%03d.png", k);
            Image img = MedicalImages.read(out.resolve("images").resolve(name));
            float[] l = MedicalImages.read(out.resolve("labels").resolve(name)).data();
            assertEquals("uint8", img.datatype());
            for (int i = 0; i < NI; i++)
                for (int j = 0; j < NJ; j++) {
                    assertEquals(Math.rint((value(i, j, k) - min) * 255.0 / (max - min)), img.data()[i * NJ + j], 0.0);
                    assertEquals(label(i, j, k), l[i * NJ + j], 0f);
                }
        }
    }

    @Test
    void pngKeepsAnEightBitVolumeUnchanged() {
        Path out = dir.resolve("png8");
        // the label volume itself is whole numbers 0..7: written as the image, its values must not be stretched
        CliRunner.Run r = CliRunner.run("slices", "--image", lab.toString(), "--out", out.toString(), "--indices", "3", "--format", "png");
        assertEquals(0, r.code(), r.err());
        float[] img = MedicalImages.read(out.resolve("images/lab_ax2_003.png")).data();
        for (int i = 0; i < NI; i++)
            for (int j = 0; j < NJ; j++) assertEquals(label(i, j, 3), img[i * NJ + j], 0f);
    }

    @Test
    void badInputsAreOneLineErrorsWithTheRightExitStatus() throws IOException {
        Path wrongShape = dir.resolve("wrong.nii.gz");
        MedicalImages.write(wrongShape, new Image(new float[NI * NJ * (NK + 1)], 1, new int[] {NI, NJ, NK + 1},
                new double[] {2, 1.5, 3}, AFFINE, "memory", "uint8"));
        Path shifted = dir.resolve("shifted.nii.gz");
        double[][] moved = {{2, 0, 0, -9}, {0, 1.5, 0, 20}, {0, 0, 3, 5}, {0, 0, 0, 1}};
        MedicalImages.write(shifted, new Image(new float[NI * NJ * NK], 1, new int[] {NI, NJ, NK}, new double[] {2, 1.5, 3}, moved, "memory", "uint8"));
        Path fractional = dir.resolve("fractional.nii.gz");
        float[] half = new float[NI * NJ * NK];
        half[17] = 0.5f;
        MedicalImages.write(fractional, volume(half, "float32"));
        Path big = dir.resolve("big.nii.gz");
        float[] b = new float[NI * NJ * NK];
        b[3] = 300;
        MedicalImages.write(big, volume(b, "int16"));
        Path series = dir.resolve("series.nii.gz"); // 4D: two time points
        MedicalImages.write(series, Image.of(new float[NI * NJ * NK * 2], NI, NJ, NK, 2));
        Path badMap = dir.resolve("bad-map.csv");
        Files.writeString(badMap, "1,1\n2,x\n");
        Path fracMap = dir.resolve("frac-map.csv");
        Files.writeString(fracMap, "1,1.5\n");
        Path full = dir.resolve("full");
        Files.createDirectories(full);
        Files.writeString(full.resolve("other.txt"), "keep me");

        String l = lab.toString();
        Object[][] cases = {
                {3, "wrong.nii.gz", new String[] {"--label", wrongShape.toString()}},
                {3, "shifted.nii.gz", new String[] {"--label", shifted.toString()}},
                {3, "fractional.nii.gz", new String[] {"--label", fractional.toString()}},
                {3, "big.nii.gz", new String[] {"--label", big.toString(), "--format", "png"}},
                {3, "series.nii.gz", new String[] {"--image", series.toString()}},
                {3, "bad-map.csv", new String[] {"--label", l, "--label-map", badMap.toString()}},
                {3, "frac-map.csv", new String[] {"--label", l, "--label-map", fracMap.toString()}},
                {3, "missing.csv", new String[] {"--label", l, "--label-map", dir.resolve("missing.csv").toString()}},
                {2, "--axis", new String[] {"--axis", "3"}},
                {2, "--from", new String[] {"--from", "7"}},
                {2, "--to", new String[] {"--to", "-1"}},
                {2, "--to", new String[] {"--from", "4", "--to", "2"}},
                {2, "--every", new String[] {"--every", "0"}},
                {2, "--indices", new String[] {"--indices", "1,7"}},
                {2, "--indices", new String[] {"--indices", "1", "--from", "0"}},
                {2, "--label-map", new String[] {"--label-map", badMap.toString()}},
                {2, "--format", new String[] {"--format", "jpg"}},
                {2, "--force", new String[] {"--out", full.toString()}},
        };
        for (Object[] c : cases) {
            String[] more = (String[]) c[2];
            Path out = dir.resolve("bad-out");
            CliRunner.Run r = more[0].equals("--image") || more[0].equals("--out")
                    ? CliRunner.run(concat(new String[] {"slices", more[0].equals("--image") ? "--out" : "--image",
                    more[0].equals("--image") ? out.toString() : vol.toString()}, more))
                    : slices(out, more);
            String what = String.join(" ", more);
            assertEquals((int) c[0], r.code(), what + ": " + r.err());
            assertTrue(r.err().contains((String) c[1]), what + " should name " + c[1] + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), what + ": " + r.err());
            assertTrue(!Files.exists(out.resolve("images")) || names(out.resolve("images")).isEmpty(), what + " wrote slices");
        }
        // --force writes next to what is there and deletes nothing
        CliRunner.Run r = slices(full, "--indices", "2", "--force");
        assertEquals(0, r.code(), r.err());
        assertEquals("keep me", Files.readString(full.resolve("other.txt")));
        assertEquals(List.of("vol_ax2_002.nii.gz"), names(full.resolve("images")));
    }

    static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static int[] squeeze(int[] shape) {
        return java.util.Arrays.stream(shape).filter(s -> s != 1).toArray();
    }
}
