package org.cover4j.io;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real NIfTI files from Debian packages against what nibabel 5.0 reads from them, recorded in
 * {@code ../shared/reference/nifti-expected.tsv}: NIfTI-1 and -2, gzip, big-endian, scl_slope, sform/qform
 * precedence, oblique and 4D files. Each row skips when its package is not unpacked.
 */
class NiftiReferenceTest {
    private static final Path TABLE = Path.of("..", "shared", "reference", "nifti-expected.tsv");

    @TestFactory
    List<DynamicTest> everyRowMatchesNibabel() throws IOException {
        assumeTrue(Files.isRegularFile(TABLE), "reference table absent: " + TABLE);
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(TABLE)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            tests.add(DynamicTest.dynamicTest(f[1].substring(f[1].lastIndexOf('/') + 1), () -> checkRow(f)));
        }
        assertEquals(9, tests.size(), "rows in " + TABLE);
        return tests;
    }

    private static void checkRow(String[] f) {
        Optional<Path> file = DebianData.file(f[0], f[1]);
        assumeTrue(file.isPresent(), "Debian package " + f[0] + " not unpacked");
        Image img = NiftiReader.read(file.get());
        int[] shape = Arrays.stream(f[2].replaceAll("[()]", "").split(",")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(shape, img.shape(), "shape");
        assertEquals(1, img.channels());
        double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (float v : img.data()) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertClose(Double.parseDouble(f[3]), sum, 1e-6, "sum");
        assertClose(Double.parseDouble(f[4]), min, 1e-4, "min");
        assertClose(Double.parseDouble(f[5]), max, 1e-4, "max");
        // Value at nibabel index (1,2,3[,0]); in C order that is ((1*s1 + 2)*s2 + 3)[*s3 + 0].
        long at = (1L * shape[1] + 2) * shape[2] + 3;
        for (int a = 3; a < shape.length; a++) at *= shape[a];
        assertClose(Double.parseDouble(f[6]), img.data()[(int) at], 1e-4, "value at (1,2,3)");
        String[] nums = f[7].replaceAll("[\\[\\]]", "").split(",");
        double[][] affine = img.affine();
        for (int i = 0; i < 16; i++) {
            assertEquals(Double.parseDouble(nums[i]), affine[i / 4][i % 4], 1e-4, "affine[" + i / 4 + "][" + i % 4 + "]");
        }
    }

    /** Relative tolerance against the reference value (absolute for a reference of 0). */
    static void assertClose(double expected, double actual, double rel, String what) {
        double tol = rel * Math.max(1.0, Math.abs(expected));
        assertEquals(expected, actual, tol, what);
    }
}
