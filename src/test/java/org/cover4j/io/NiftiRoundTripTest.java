package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** NIfTI written by {@link NiftiWriter} reads back identically, and nibabel reads the same data and geometry. */
class NiftiRoundTripTest {
    @TempDir
    Path dir;

    /** An oblique, anisotropic affine: rotation about an arbitrary axis, then scale, then shift. */
    static double[][] obliqueAffine(boolean leftHanded) {
        double ax = 0.3, ay = -0.5, az = 0.8;
        double norm = Math.sqrt(ax * ax + ay * ay + az * az);
        ax /= norm;
        ay /= norm;
        az /= norm;
        double t = 0.7, c = Math.cos(t), s = Math.sin(t), C = 1 - c;
        double[][] r = {
                {c + ax * ax * C, ax * ay * C - az * s, ax * az * C + ay * s},
                {ay * ax * C + az * s, c + ay * ay * C, ay * az * C - ax * s},
                {az * ax * C - ay * s, az * ay * C + ax * s, c + az * az * C}};
        double[] zoom = {1.25, 0.8, leftHanded ? -2.5 : 2.5};
        double[][] a = new double[4][4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) a[i][j] = r[i][j] * zoom[j];
        }
        a[0][3] = -91.5;
        a[1][3] = 12.25;
        a[2][3] = 40;
        a[3][3] = 1;
        return a;
    }

    static Image volume(int[] shape, double[][] affine, String datatype, double lo, double hi, boolean integers, long seed) {
        Rng rng = new Rng(seed);
        int n = 1;
        for (int s : shape) n *= s;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double x = rng.uniform(lo, hi);
            v[i] = (float) (integers ? Math.rint(x) : x);
        }
        double[] spacing = new double[shape.length];
        double[] norms = Affines.columnNorms(affine);
        for (int i = 0; i < shape.length; i++) spacing[i] = i < 3 ? norms[i] : 1.0;
        return new Image(v, 1, shape, spacing, affine, "memory", datatype);
    }

    @Test
    void roundTripsEveryWrittenTypeWithBothQformAndSform() throws IOException {
        Object[][] cases = {
                {"f32.nii", SampleType.FLOAT32, -1000.0, 1000.0, false, false},
                {"f32.nii.gz", SampleType.FLOAT32, -1.0, 1.0, false, true},
                {"i16.nii.gz", SampleType.INT16, -32768.0, 32767.0, true, true},
                {"u8.nii", SampleType.UINT8, 0.0, 255.0, true, false}};
        for (Object[] c : cases) {
            SampleType type = (SampleType) c[1];
            double[][] affine = obliqueAffine((boolean) c[5]);
            Image img = volume(new int[]{7, 5, 3}, affine, type.label(), (double) c[2], (double) c[3], (boolean) c[4], 11);
            Path file = dir.resolve((String) c[0]);
            NiftiWriter.write(file, img, type);
            Image back = NiftiReader.read(file);
            assertArrayEquals(img.shape(), back.shape(), file.toString());
            assertArrayEquals(img.data(), back.data(), file.toString());
            assertEquals(type.label(), back.datatype());
            // sform stores the affine in float32.
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < 4; k++) assertEquals((float) affine[r][k], back.affine()[r][k], 0.0, "sform");
            }
            // The qform alone (sform_code set to 0) must give the same affine, up to float32 quaternion rounding.
            Image qOnly = NiftiReader.read(withSformCode(file, 0));
            NiftiReaderTest.assertAffine(affine, qOnly.affine(), 1e-4);
            assertArrayEquals(Affines.columnNorms(affine), back.spacing(), 1e-6);
        }
    }

    /** Copy of a written file with sform_code patched (bytes 254-255 of the NIfTI-1 header). */
    private Path withSformCode(Path file, int code) throws IOException {
        boolean gz = file.toString().endsWith(".gz");
        byte[] raw = gz ? new java.util.zip.GZIPInputStream(Files.newInputStream(file)).readAllBytes() : Files.readAllBytes(file);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putShort(254, (short) code);
        Path out = dir.resolve("qonly-" + file.getFileName().toString().replace(".gz", ""));
        Files.write(out, raw);
        return out;
    }

    @Test
    void defaultTypeIsLosslessAndIntegerTypesRefuseWhatDoesNotFit() {
        double[][] a = Image.scaledIdentity(new double[]{1, 1, 1});
        Image u8 = volume(new int[]{3, 3, 3}, a, "uint8", 0, 255, true, 3);
        NiftiWriter.write(dir.resolve("auto-u8.nii"), u8);
        assertEquals("uint8", NiftiReader.read(dir.resolve("auto-u8.nii")).datatype());
        Image frac = volume(new int[]{3, 3, 3}, a, "uint8", 0, 255, false, 3);
        NiftiWriter.write(dir.resolve("auto-f.nii"), frac);
        assertEquals("float32", NiftiReader.read(dir.resolve("auto-f.nii")).datatype());
        Image big = volume(new int[]{3, 3, 3}, a, "float32", 300, 400, true, 3);
        Path bad = dir.resolve("big.nii");
        CoverException e = assertThrows(CoverException.class, () -> NiftiWriter.write(bad, big, SampleType.UINT8));
        assertTrue(e.getMessage().contains("big.nii") && e.getMessage().contains("uint8"), e.getMessage());
        assertFalse(Files.exists(bad), "nothing is written when the values do not fit");
    }

    @Test
    void failedWriteLeavesTheExistingFileIntact() throws IOException {
        Path file = dir.resolve("keep.nii");
        Image ok = volume(new int[]{2, 2, 2}, Image.scaledIdentity(new double[]{1, 1, 1}), "float32", 0, 1, false, 5);
        NiftiWriter.write(file, ok);
        byte[] before = Files.readAllBytes(file);
        Image twoChannels = new Image(new float[16], 2, new int[]{2, 2, 2}, new double[]{1, 1, 1}, null, "memory", "float32");
        assertThrows(CoverException.class, () -> NiftiWriter.write(file, twoChannels));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void nibabelReadsWhatWeWrite() {
        double[][] right = obliqueAffine(false);
        double[][] left = obliqueAffine(true);
        Object[][] cases = {
                {"nb-f32.nii.gz", SampleType.FLOAT32, right, new int[]{6, 5, 4}},
                {"nb-i16.nii", SampleType.INT16, left, new int[]{5, 4, 3, 2}},
                {"nb-u8.nii.gz", SampleType.UINT8, left, new int[]{9, 8}}};
        for (Object[] c : cases) {
            SampleType type = (SampleType) c[1];
            int[] shape = (int[]) c[3];
            double[][] affine = shape.length == 2 ? Image.scaledIdentity(new double[]{0.5, 0.7}) : (double[][]) c[2];
            Image img = volume(shape, affine, type.label(), 0, 200, type != SampleType.FLOAT32, 17);
            Path file = dir.resolve((String) c[0]);
            NiftiWriter.write(file, img, type);
            String script = String.join("\n",
                    "import nibabel as nib, numpy as np",
                    "im = nib.load(r'" + file + "')",
                    "d = np.asanyarray(im.dataobj).astype(np.float64)",
                    "print(' '.join(str(s) for s in im.shape))",
                    "print(repr(float(d.sum())), repr(float(d[(1,) * d.ndim])))",
                    "print(im.get_data_dtype())",
                    "print(' '.join(repr(float(x)) for x in im.header.get_best_affine().ravel()))",
                    "print(' '.join(repr(float(x)) for x in im.header.get_qform().ravel()))",
                    "print(''.join(nib.aff2axcodes(im.affine)))");
            Optional<String> out = NibabelPython.run(script);
            assumeTrue(out.isPresent(), "nibabel (Debian python3-nibabel + numpy) not available");
            String[] lines = out.get().strip().split("\n");
            int[] nbShape = java.util.Arrays.stream(lines[0].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(shape, nbShape, "nibabel shape");
            double sum = 0;
            for (float v : img.data()) sum += v;
            String[] sv = lines[1].trim().split(" ");
            assertEquals(sum, Double.parseDouble(sv[0]), 1e-6 * Math.abs(sum), "nibabel sum");
            int at = 0;
            for (int s : shape) at = at * s + 1; // C-order index of (1, 1, ...)
            assertEquals(img.data()[at], Double.parseDouble(sv[1]), 0.0, "nibabel value at (1,1,...)");
            assertEquals(type.label(), lines[2].trim().toLowerCase(Locale.ROOT));
            double[] best = parse(lines[3]);
            double[] qform = parse(lines[4]);
            for (int i = 0; i < 16; i++) {
                assertEquals(affine[i / 4][i % 4], best[i], 1e-5, "nibabel affine " + i);
                assertEquals(affine[i / 4][i % 4], qform[i], 1e-4, "nibabel qform " + i);
            }
            assertEquals(lines[5].trim(), Affines.axcodes(affine), "aff2axcodes");
        }
    }

    @Test
    void nibabelAgreesOnTheAffineOfAFileWithoutQformOrSform() throws IOException {
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, new double[24]);
        nb.pixdim = new double[]{0, 2, 3, 4, 1, 1, 1, 1};
        Path file = dir.resolve("nocodes.nii");
        Files.write(file, nb.toBytes());
        Optional<String> out = NibabelPython.run("import nibabel as nib\n"
                + "print(' '.join(repr(float(x)) for x in nib.load(r'" + file + "').affine.ravel()))");
        assumeTrue(out.isPresent(), "nibabel not available");
        double[] expected = parse(out.get());
        double[][] ours = NiftiReader.read(file).affine();
        for (int i = 0; i < 16; i++) assertEquals(expected[i], ours[i / 4][i % 4], 1e-9, "affine " + i);
    }

    private static double[] parse(String line) {
        return java.util.Arrays.stream(line.trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
    }
}
