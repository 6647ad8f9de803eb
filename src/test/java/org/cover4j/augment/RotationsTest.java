package org.cover4j.augment;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RotationsTest {
    private static int det(int[][] m) {
        if (m.length == 2) return m[0][0] * m[1][1] - m[0][1] * m[1][0];
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    @Test
    void twoDimensionalTurnsAreNumpysRot90() {
        int s = 4;
        float[] x = LocalPixelShuffleTest.distinctValues(2 * s * s, 1);
        float[] r1 = Rotations.rotate(x, 2, s, 2, 1), r2 = Rotations.rotate(x, 2, s, 2, 2);
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < s; j++) {
                    assertEquals(x[c * 16 + j * s + (s - 1 - i)], r1[c * 16 + i * s + j], 0f);             // rot90 k=1
                    assertEquals(x[c * 16 + (s - 1 - i) * s + (s - 1 - j)], r2[c * 16 + i * s + j], 0f);   // k=2
                }
            }
        }
        assertArrayEquals(x, Rotations.rotate(x, 2, s, 2, 0), 0f);
    }

    @Test
    void matricesAreDistinctProperRotations() {
        for (int dims = 2; dims <= 3; dims++) {
            Set<String> seen = new HashSet<>();
            for (int label = 0; label < Rotations.classes(dims); label++) {
                int[][] m = Rotations.matrix(dims, label);
                for (int i = 0; i < dims; i++) {
                    for (int j = 0; j < dims; j++) {
                        int dot = 0;
                        for (int k = 0; k < dims; k++) dot += m[k][i] * m[k][j];
                        assertEquals(i == j ? 1 : 0, dot);
                    }
                }
                assertEquals(1, det(m));
                seen.add(Arrays.deepToString(m));
            }
            assertEquals(Rotations.classes(dims), seen.size());
        }
        assertEquals(4, Rotations.classes(2));
        assertEquals(10, Rotations.classes(3));
        assertThrows(IllegalArgumentException.class, () -> Rotations.matrix(3, 10));
        assertThrows(IllegalArgumentException.class, () -> Rotations.classes(4));
    }

    @Test
    void aVoxelMovesWhereTheMatrixSendsItsCentredPosition() {
        for (int dims = 2; dims <= 3; dims++) {
            for (int s : new int[] {4, 5}) {
                int n = (int) Math.pow(s, dims);
                for (int label = 0; label < Rotations.classes(dims); label++) {
                    int[][] m = Rotations.matrix(dims, label);
                    for (int at = 0; at < n; at += 7) {
                        float[] x = new float[n];
                        x[at] = 1;
                        float[] y = Rotations.rotate(x, 1, s, dims, label);
                        int[] p = new int[dims];
                        for (int d = dims - 1, rest = at; d >= 0; d--, rest /= s) p[d] = rest % s;
                        int expected = 0;
                        for (int d = 0; d < dims; d++) {
                            double c = 0;
                            for (int e = 0; e < dims; e++) c += m[d][e] * (p[e] - (s - 1) / 2.0);
                            expected = expected * s + (int) Math.round(c + (s - 1) / 2.0);
                        }
                        assertEquals(1f, y[expected], 0f, "label " + label + " voxel " + Arrays.toString(p));
                        assertEquals(1.0, sum(y), 0);
                    }
                }
            }
        }
    }

    private static double sum(float[] x) {
        double s = 0;
        for (float v : x) s += v;
        return s;
    }

    @Test
    void theTenCubeRotationsDifferAndFourQuarterTurnsAreTheIdentity() {
        int s = 5;
        float[] x = LocalPixelShuffleTest.distinctValues(s * s * s, 2);
        Set<String> results = new HashSet<>();
        for (int label = 0; label < 10; label++) results.add(Arrays.toString(Rotations.rotate(x, 1, s, 3, label)));
        assertEquals(10, results.size());
        for (int quarter : new int[] {1, 4, 7}) {
            float[] y = x;
            for (int t = 0; t < 4; t++) y = Rotations.rotate(y, 1, s, 3, quarter);
            assertArrayEquals(x, y, 0f);
            // 90° then 270° about the same axis is the identity too
            assertArrayEquals(x, Rotations.rotate(Rotations.rotate(x, 1, s, 3, quarter), 1, s, 3, quarter + 2), 0f);
        }
    }

    @Test
    void turnsAboutZAreTheTwoDimensionalTurnsOfEverySlice() {
        int s = 4;
        float[] x = LocalPixelShuffleTest.distinctValues(s * s * s, 3);
        for (int k = 1; k <= 3; k++) {
            float[] y = Rotations.rotate(x, 1, s, 3, 6 + k);
            for (int z = 0; z < s; z++) {
                float[] slice = new float[s * s], rotated = new float[s * s];
                for (int i = 0; i < s * s; i++) {
                    slice[i] = x[i * s + z];
                    rotated[i] = y[i * s + z];
                }
                assertArrayEquals(Rotations.rotate(slice, 1, s, 2, k), rotated, 0f);
            }
        }
    }

    @Test
    void sampleIsARotatedCropOfTheImage() {
        int[] shape = {9, 7, 8};
        int crop = 5;
        float[] image = LocalPixelShuffleTest.distinctValues(2 * 9 * 7 * 8, 4);
        Set<Integer> labels = new HashSet<>();
        for (int seed = 0; seed < 40; seed++) {
            RotationSample sample = Rotations.make(image, 2, shape, crop, new Rng(seed));
            assertEquals(2 * crop * crop * crop, sample.image().length);
            labels.add(sample.label());
            // undo the rotation with the inverse label (transposed matrix), then look for the crop by brute force
            int inverse = -1;
            int[][] mt = transpose(Rotations.matrix(3, sample.label()));
            for (int l = 0; l < 10; l++) if (Arrays.deepEquals(mt, Rotations.matrix(3, l))) inverse = l;
            float[] unrotated = Rotations.rotate(sample.image(), 2, crop, 3, inverse);
            boolean found = false;
            for (int a = 0; a + crop <= 9 && !found; a++) {
                for (int b = 0; b + crop <= 7 && !found; b++) {
                    for (int c = 0; c + crop <= 8 && !found; c++) {
                        found = Arrays.equals(unrotated, Shapes.crop(image, 2, shape, new int[] {a, b, c}, new int[] {crop, crop, crop}));
                    }
                }
            }
            assertTrue(found, "seed " + seed + ": not a rotated crop");
            RotationSample again = Rotations.make(image, 2, shape, crop, new Rng(seed));
            assertEquals(sample.label(), again.label());
            assertArrayEquals(sample.image(), again.image(), 0f);
        }
        assertTrue(labels.size() >= 8, "labels drawn: " + labels);
    }

    private static int[][] transpose(int[][] m) {
        int[][] t = new int[m.length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m.length; j++) t[i][j] = m[j][i];
        return t;
    }
}
