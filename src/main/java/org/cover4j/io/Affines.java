package org.cover4j.io;

/**
 * Geometry shared by the readers, writers and {@code cover4j info}: NIfTI quaternion ↔ matrix conversions,
 * the orthogonal (polar) factor of a 3×3 matrix, and nibabel's orientation codes ({@code aff2axcodes}).
 * Affines are 4×4 voxel → world (RAS+ mm) matrices as {@code double[4][4]}.
 */
public final class Affines {
    private Affines() {}

    /** A NIfTI qform: unit quaternion (b, c, d), offset, voxel sizes and qfac (±1, the handedness). */
    public record Quatern(double b, double c, double d, double qx, double qy, double qz,
                          double dx, double dy, double dz, double qfac) {}

    /**
     * The qform affine exactly as nibabel's {@code Nifti1Header.get_qform} builds it: a = sqrt(1 − b² − c² − d²)
     * (0 when rounding makes that negative), rotation from the quaternion, z voxel size multiplied by qfac.
     */
    public static double[][] fromQuatern(Quatern q) {
        double b = q.b(), c = q.c(), d = q.d();
        double a2 = 1.0 - (b * b + c * c + d * d);
        double a = a2 > 0 ? Math.sqrt(a2) : 0.0;
        double n = a * a + b * b + c * c + d * d;
        double[][] r = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        if (n >= 1e-12) {
            double s = 2.0 / n;
            double x2 = b * s, y2 = c * s, z2 = d * s;
            double wx = a * x2, wy = a * y2, wz = a * z2;
            double xx = b * x2, xy = b * y2, xz = b * z2;
            double yy = c * y2, yz = c * z2, zz = d * z2;
            r = new double[][]{
                    {1.0 - (yy + zz), xy - wz, xz + wy},
                    {xy + wz, 1.0 - (xx + zz), yz - wx},
                    {xz - wy, yz + wx, 1.0 - (xx + yy)}};
        }
        double[] vox = {q.dx(), q.dy(), q.dz() * (q.qfac() < 0 ? -1 : 1)};
        double[][] m = identity();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) m[i][j] = r[i][j] * vox[j];
        }
        m[0][3] = q.qx();
        m[1][3] = q.qy();
        m[2][3] = q.qz();
        return m;
    }

    /**
     * The standard NIfTI conversion of an affine to a qform ({@code nifti_mat44_to_quatern}): voxel sizes are
     * the column norms, the rotation is the orthogonal polar factor of the normalised columns, qfac = −1 when
     * that is left-handed (the third column is then flipped), and the quaternion has a ≥ 0.
     */
    public static Quatern toQuatern(double[][] affine) {
        double[][] m = new double[3][3];
        double[] zooms = new double[3];
        for (int j = 0; j < 3; j++) {
            double norm = Math.sqrt(affine[0][j] * affine[0][j] + affine[1][j] * affine[1][j] + affine[2][j] * affine[2][j]);
            if (norm == 0) {
                // A degenerate column: NIfTI's convention is to substitute the unit axis.
                norm = 1;
                for (int i = 0; i < 3; i++) m[i][j] = i == j ? 1 : 0;
            } else {
                for (int i = 0; i < 3; i++) m[i][j] = affine[i][j] / norm;
            }
            zooms[j] = norm;
        }
        double[][] p = polar(m);
        double qfac = 1;
        if (det3(p) < 0) {
            qfac = -1;
            for (int i = 0; i < 3; i++) p[i][2] = -p[i][2];
        }
        double r11 = p[0][0], r12 = p[0][1], r13 = p[0][2];
        double r21 = p[1][0], r22 = p[1][1], r23 = p[1][2];
        double r31 = p[2][0], r32 = p[2][1], r33 = p[2][2];
        double a = r11 + r22 + r33 + 1.0, b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r32 - r23) / a;
            c = 0.25 * (r13 - r31) / a;
            d = 0.25 * (r21 - r12) / a;
        } else {
            double xd = 1.0 + r11 - (r22 + r33);
            double yd = 1.0 + r22 - (r11 + r33);
            double zd = 1.0 + r33 - (r11 + r22);
            if (xd > 1.0) {
                b = 0.5 * Math.sqrt(xd);
                c = 0.25 * (r12 + r21) / b;
                d = 0.25 * (r13 + r31) / b;
                a = 0.25 * (r32 - r23) / b;
            } else if (yd > 1.0) {
                c = 0.5 * Math.sqrt(yd);
                b = 0.25 * (r12 + r21) / c;
                d = 0.25 * (r23 + r32) / c;
                a = 0.25 * (r13 - r31) / c;
            } else {
                d = 0.5 * Math.sqrt(zd);
                b = 0.25 * (r13 + r31) / d;
                c = 0.25 * (r23 + r32) / d;
                a = 0.25 * (r21 - r12) / d;
            }
            if (a < 0.0) {
                b = -b;
                c = -c;
                d = -d;
            }
        }
        return new Quatern(b, c, d, affine[0][3], affine[1][3], affine[2][3], zooms[0], zooms[1], zooms[2], qfac);
    }

    /**
     * The orthogonal factor U of the polar decomposition M = U·P (the nearest orthogonal matrix, equal to
     * P·Qᵀ of the SVD), by Newton's iteration U ← (U + U⁻ᵀ)/2. A singular M is returned unchanged.
     */
    public static double[][] polar(double[][] m) {
        double[][] u = copy3(m);
        for (int it = 0; it < 100; it++) {
            double[][] inv = inverse3(u);
            if (inv == null) return copy3(m);
            double change = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double v = 0.5 * (u[i][j] + inv[j][i]);
                    change = Math.max(change, Math.abs(v - u[i][j]));
                    u[i][j] = v;
                }
            }
            if (change < 1e-15) break;
        }
        return u;
    }

    /**
     * nibabel's {@code io_orientation}: for each of the first three voxel axes {@code {worldAxis, sign}} with
     * worldAxis 0 = R, 1 = A, 2 = S and sign +1 towards R/A/S, -1 towards L/P/I; {@code {-1, 0}} for an axis
     * with no direction. The direction columns are normalised and orthogonalised (polar factor), then each
     * voxel axis in turn takes the world axis it points along most that no earlier axis has taken.
     */
    public static int[][] ornt(double[][] affine) {
        double[][] rs = new double[3][3];
        for (int j = 0; j < 3; j++) {
            double norm = 0;
            for (int i = 0; i < 3; i++) norm += affine[i][j] * affine[i][j];
            norm = Math.sqrt(norm);
            if (norm == 0) norm = 1;
            for (int i = 0; i < 3; i++) rs[i][j] = affine[i][j] / norm;
        }
        double[][] r = polar(rs);
        int[][] out = new int[3][];
        for (int j = 0; j < 3; j++) {
            int best = -1;
            double bestAbs = 1e-8;
            for (int i = 0; i < 3; i++) {
                if (Math.abs(r[i][j]) > bestAbs) {
                    bestAbs = Math.abs(r[i][j]);
                    best = i;
                }
            }
            if (best < 0) {
                out[j] = new int[] {-1, 0};
                continue;
            }
            out[j] = new int[] {best, r[best][j] < 0 ? -1 : 1};
            for (int k = 0; k < 3; k++) r[best][k] = 0; // that world axis is taken
        }
        return out;
    }

    /** nibabel's {@code aff2axcodes}: one letter per voxel axis ({@code R/L}, {@code A/P}, {@code S/I}; {@code ?} if none). */
    public static String axcodes(double[][] affine) {
        String pos = "RAS";
        String neg = "LPI";
        StringBuilder out = new StringBuilder();
        for (int[] o : ornt(affine)) out.append(o[0] < 0 ? '?' : (o[1] > 0 ? pos : neg).charAt(o[0]));
        return out.toString();
    }

    /** Lengths of the first three columns of the 3×3 block: the voxel sizes an affine implies. */
    public static double[] columnNorms(double[][] affine) {
        double[] z = new double[3];
        for (int j = 0; j < 3; j++) {
            z[j] = Math.sqrt(affine[0][j] * affine[0][j] + affine[1][j] * affine[1][j] + affine[2][j] * affine[2][j]);
        }
        return z;
    }

    /** A 4×4 affine converted between LPS (DICOM, ITK, MetaImage) and RAS (NIfTI): the first two rows negated. */
    public static double[][] flipLpsRas(double[][] affine) {
        double[][] m = new double[4][];
        for (int i = 0; i < 4; i++) m[i] = affine[i].clone();
        for (int j = 0; j < 4; j++) {
            m[0][j] = 0.0 - m[0][j]; // 0.0 - x, not -x: no negative zeros in printed affines
            m[1][j] = 0.0 - m[1][j];
        }
        return m;
    }

    public static double[][] identity() {
        double[][] m = new double[4][4];
        for (int i = 0; i < 4; i++) m[i][i] = 1;
        return m;
    }

    public static double[][] multiply(double[][] a, double[][] b) {
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
    public static double[][] scaleShift(double[][] affine, double[] scale, double[] shift) {
        double[][] m = identity();
        for (int a = 0; a < Math.min(3, scale.length); a++) {
            m[a][a] = scale[a];
            m[a][3] = shift[a];
        }
        return multiply(affine, m);
    }

    static double det3(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    private static double[][] inverse3(double[][] m) {
        double det = det3(m);
        if (!(Math.abs(det) > 1e-300) || !Double.isFinite(det)) return null;
        double[][] inv = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                // Cofactor of m[j][i], divided by the determinant.
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                inv[i][j] = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / det;
            }
        }
        return inv;
    }

    private static double[][] copy3(double[][] m) {
        double[][] c = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) c[i][j] = m[i][j];
        }
        return c;
    }
}
