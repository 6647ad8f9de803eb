package org.cover4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cover4j.util.Rng;
import org.junit.jupiter.api.Test;

class DistanceTransformTest {

    @Test
    void matchesBruteForceOnRandomSparseMasksWithAnisotropicSpacing() {
        Rng rng = new Rng(7);
        int[][] shapes = {{9, 13}, {5, 7, 6}, {1, 11}, {4, 1, 9}};
        for (int[] shape : shapes) {
            Grid g = new Grid(shape);
            double[] sp = new double[shape.length];
            for (int a = 0; a < sp.length; a++) sp[a] = rng.uniform(0.3, 3.0);
            boolean[] f = new boolean[g.size];
            for (int i = 0; i < g.size; i++) f[i] = rng.nextDouble() < 0.08;
            f[rng.randint(0, g.size)] = true;
            double[] d = DistanceTransform.squared(f, shape, sp);
            for (int i = 0; i < g.size; i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < g.size; j++) {
                    if (!f[j]) continue;
                    double s = 0;
                    for (int a = 0; a < shape.length; a++) {
                        double dx = (g.coord(i, a) - g.coord(j, a)) * sp[a];
                        s += dx * dx;
                    }
                    best = Math.min(best, s);
                }
                assertEquals(best, d[i], 1e-9 * (1 + best), "voxel " + i + " of " + java.util.Arrays.toString(shape));
            }
        }
    }

    @Test
    void noFeatureGivesInfinity() {
        double[] d = DistanceTransform.squared(new boolean[6], new int[] {2, 3}, new double[] {1, 1});
        for (double v : d) assertEquals(Double.POSITIVE_INFINITY, v);
    }
}
