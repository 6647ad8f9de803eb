package org.cover4j.data;

/** 4×4 voxel→world matrix arithmetic used by {@link ImageOps}. */
final class Affines {
    private Affines() {}

    static double[][] identity() {
        double[][] m = new double[4][4];
        for (int i = 0; i < 4; i++) m[i][i] = 1;
        return m;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        double[][] c = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        }
        return c;
    }

    /**
     * The affine of a grid whose index {@code j} along axis {@code a} is old index {@code scale[a]*j + shift[a]}:
     * column a scaled, translation moved by {@code shift[a]} old voxels. Axes beyond the third (time) are not
     * part of the spatial affine and are ignored.
     */
    static double[][] scaleShift(double[][] affine, double[] scale, double[] shift) {
        double[][] m = identity();
        for (int a = 0; a < Math.min(3, scale.length); a++) {
            m[a][a] = scale[a];
            m[a][3] = shift[a];
        }
        return multiply(affine, m);
    }
}
