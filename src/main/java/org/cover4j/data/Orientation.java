package org.cover4j.data;

import org.cover4j.util.CoverException;

/**
 * Which world axis each voxel axis points along, computed from the affine as nibabel's
 * {@code io_orientation} does: the direction part of the affine (columns divided by their lengths) is
 * replaced by its closest orthogonal matrix (polar decomposition), then each voxel axis in turn takes the
 * world axis with the largest absolute component that no earlier voxel axis has taken.
 */
public final class Orientation {
    private static final String POS = "RAS";
    private static final String NEG = "LPI";

    private Orientation() {}

    /**
     * For each of the first three voxel axes: {@code {worldAxis, sign}} with worldAxis 0 = R, 1 = A, 2 = S
     * and sign +1 when increasing the voxel index moves towards R/A/S, -1 towards L/P/I.
     */
    public static int[][] ornt(double[][] affine) {
        double[][] rs = new double[3][3];
        for (int c = 0; c < 3; c++) {
            double len = 0;
            for (int r = 0; r < 3; r++) len += affine[r][c] * affine[r][c];
            len = Math.sqrt(len);
            if (len == 0) len = 1; // as nibabel: a zero column stays zero
            for (int r = 0; r < 3; r++) rs[r][c] = affine[r][c] / len;
        }
        double[][] q = closestOrthogonal(rs);
        int[][] out = new int[3][];
        for (int in = 0; in < 3; in++) {
            int best = -1;
            double bestAbs = 0;
            for (int r = 0; r < 3; r++) {
                if (Math.abs(q[r][in]) > bestAbs + 1e-12) {
                    bestAbs = Math.abs(q[r][in]);
                    best = r;
                }
            }
            if (best < 0) throw new CoverException("affine has a degenerate direction for voxel axis " + in);
            out[in] = new int[] {best, q[best][in] < 0 ? -1 : 1};
            for (int c = 0; c < 3; c++) q[best][c] = 0; // that world axis is taken
        }
        return out;
    }

    /** Orientation codes such as {@code "RAS"} or {@code "LPS"}, one letter per voxel axis (nibabel's aff2axcodes). */
    public static String axcodes(double[][] affine) {
        int[][] o = ornt(affine);
        StringBuilder sb = new StringBuilder();
        for (int[] a : o) sb.append(a[1] > 0 ? POS.charAt(a[0]) : NEG.charAt(a[0]));
        return sb.toString();
    }

    /**
     * Orthogonal polar factor by Newton's iteration {@code X <- (X + X^-T) / 2}, which converges
     * quadratically for any non-singular start and equals {@code U V^T} of the SVD that nibabel uses.
     * A singular matrix (a degenerate affine) is returned unchanged.
     */
    static double[][] closestOrthogonal(double[][] m) {
        double[][] x = new double[3][];
        for (int i = 0; i < 3; i++) x[i] = m[i].clone();
        for (int it = 0; it < 100; it++) {
            double det = det3(x);
            if (Math.abs(det) < 1e-12) return x;
            double[][] invT = inverseTranspose3(x, det);
            double change = 0;
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    double v = 0.5 * (x[r][c] + invT[r][c]);
                    change = Math.max(change, Math.abs(v - x[r][c]));
                    x[r][c] = v;
                }
            }
            if (change < 1e-15) break;
        }
        return x;
    }

    static double det3(double[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    /** (A^-1)^T = cofactor(A) / det(A). */
    private static double[][] inverseTranspose3(double[][] a, double det) {
        double[][] c = new double[3][3];
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++) {
                int r1 = (r + 1) % 3, r2 = (r + 2) % 3, k1 = (k + 1) % 3, k2 = (k + 2) % 3;
                c[r][k] = (a[r1][k1] * a[r2][k2] - a[r1][k2] * a[r2][k1]) / det;
            }
        }
        return c;
    }
}
