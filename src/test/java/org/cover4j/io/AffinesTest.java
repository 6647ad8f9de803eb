package org.cover4j.io;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AffinesTest {
    @Test
    void axcodesMatchNibabelOnTheReferenceAffines() {
        // Affines from ../shared/reference/nifti-expected.tsv; codes from nibabel 5.0 aff2axcodes on the same files.
        Object[][] cases = {
                {new double[][]{{-2, 0, 0, 32}, {0, 2, 0, -40}, {0, 0, 2, -16}, {0, 0, 0, 1}}, "LAS"},
                {new double[][]{{-3.9998, -0.0, -0.0516, 118.7634}, {0.024, -3.2564, -2.9035, 132.1982},
                        {-0.0336, -2.3229, 4.0703, 22.8196}, {0, 0, 0, 1}}, "LPS"},
                {new double[][]{{0, -2, 0, 20}, {-1.9397, 0, -0.4872, 25.1705}, {-0.4872, 0, 1.9397, 12.3205}, {0, 0, 0, 1}}, "PLS"},
                {new double[][]{{1, 0, 0, -90}, {0, 1, 0, -125}, {0, 0, 1, -71}, {0, 0, 0, 1}}, "RAS"},
                // Hand-made: axis 0 along -S, axis 1 along +R, axis 2 along -A.
                {new double[][]{{0, 1, 0, 0}, {0, 0, -1, 0}, {-1, 0, 0, 0}, {0, 0, 0, 1}}, "IRP"}};
        for (Object[] c : cases) assertEquals(c[1], Affines.axcodes((double[][]) c[0]));
    }

    @Test
    void quaternionRoundTripsRandomRotationsOfBothHandedness() {
        Rng rng = new Rng(99);
        for (int n = 0; n < 200; n++) {
            // A random unit quaternion (a >= 0) and random zooms; qfac -1 half of the time.
            double a = rng.nextGaussian(), b = rng.nextGaussian(), c = rng.nextGaussian(), d = rng.nextGaussian();
            double norm = Math.sqrt(a * a + b * b + c * c + d * d);
            double s = a < 0 ? -1 : 1;
            Affines.Quatern q = new Affines.Quatern(s * b / norm, s * c / norm, s * d / norm,
                    rng.uniform(-100, 100), rng.uniform(-100, 100), rng.uniform(-100, 100),
                    rng.uniform(0.2, 5), rng.uniform(0.2, 5), rng.uniform(0.2, 5), n % 2 == 0 ? 1 : -1);
            double[][] m = Affines.fromQuatern(q);
            Affines.Quatern back = Affines.toQuatern(m);
            NiftiReaderTest.assertAffine(m, Affines.fromQuatern(back), 1e-9);
            assertEquals(q.qfac(), back.qfac());
            assertEquals(q.dz(), back.dz(), 1e-9);
            // Rotation part is orthogonal: det of the normalised matrix is qfac.
            double[][] r = new double[3][3];
            double[] z = Affines.columnNorms(m);
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) r[i][j] = m[i][j] / z[j];
            }
            assertEquals(q.qfac(), Affines.det3(r), 1e-9);
        }
    }

    @Test
    void polarFactorOfASkewedMatrixIsOrthogonal() {
        double[][] m = {{1, 0.2, 0}, {0.1, 1, 0.05}, {0, 0.3, 1}};
        double[][] u = Affines.polar(m);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = 0;
                for (int k = 0; k < 3; k++) dot += u[k][i] * u[k][j];
                assertEquals(i == j ? 1 : 0, dot, 1e-12);
            }
        }
    }
}
