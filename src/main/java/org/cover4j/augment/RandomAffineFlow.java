package org.cover4j.augment;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.Arrays;

/**
 * The reference's random affine ground-truth displacement field ({@code SpatialTransform2D/3D.rand_coords},
 * SPEC §6.2), in 2D and 3D, elastic deformation off as in training.
 *
 * <p>The transform is built in float64 from its draws ({@link #fromDraws}), in the reference's order:
 * 2D {@code [a_x, a_y, sc_x, sc_y, s_xy, s_yx, t_x, t_y]}, 3D {@code [a_x, a_y, a_z, sc_x, sc_y, sc_z,
 * s_xy, s_xz, s_yx, s_yz, s_zx, s_zy, t_x, t_y, t_z]}; {@code A = Sh·Sc·Ry·Rx} (2D) or
 * {@code Sh·Sc·Rz·Ry·Rx} (3D). The field is {@code flow_d(p) = (Aᵀc + T)_d + S_d//2 − p_d} with
 * {@code c = p − (S−1)/2}, emitted as float32. Reference quirks kept on purpose: the centring subtracts
 * {@code (S−1)/2} but adds back {@code S//2} (a constant +0.5 px for even sizes), and translation
 * {@code t_x} (scaled by {@code S_0}) acts on axis 0.
 *
 * <p>Random draws ({@link #random}) use the training script's ranges scaled by {@code degree}
 * (reference default 1.5): angles ±degree·π/9, scales 1 ± degree/2, shears ±degree·π/32, translations
 * ±degree·0.2·S_d pixels, each {@code uniform(lo, hi)} in the order above.
 */
public final class RandomAffineFlow {
    /** The reference training script's {@code --degree} default. */
    public static final double DEFAULT_DEGREE = 1.5;

    private RandomAffineFlow() {}

    /**
     * An affine map {@code a = Aᵀc + T} on zero-centred coordinates: {@code matrix} is A, row-major nd×nd,
     * and {@code translation} T, both float64.
     */
    public record Affine(double[] matrix, double[] translation) {
        public int dims() {
            return translation.length;
        }

        /** The reference's returned {@code mat}: {@code [A | T]} as float32, row-major nd×(nd+1). */
        public float[] matFloat32() {
            int nd = dims();
            float[] m = new float[nd * (nd + 1)];
            for (int r = 0; r < nd; r++) {
                for (int c = 0; c < nd; c++) m[r * (nd + 1) + c] = (float) matrix[r * nd + c];
                m[r * (nd + 1) + nd] = (float) translation[r];
            }
            return m;
        }

        /** The identity transform (every random operation disabled in the reference). */
        public static Affine identity(int dims) {
            double[] a = new double[dims * dims];
            for (int i = 0; i < dims; i++) a[i * dims + i] = 1;
            return new Affine(a, new double[dims]);
        }
    }

    /** Number of random draws for a transform of {@code dims} dimensions (8 in 2D, 15 in 3D). */
    public static int drawCount(int dims) {
        return switch (dims) {
            case 2 -> 8;
            case 3 -> 15;
            default -> throw new IllegalArgumentException("rand_coords: dims must be 2 or 3, got " + dims);
        };
    }

    /** Builds the transform from explicit draws in the reference order (see the class comment). */
    public static Affine fromDraws(int dims, double[] d) {
        if (d.length != drawCount(dims)) {
            throw new IllegalArgumentException("rand_coords: " + dims + "D needs " + drawCount(dims) + " draws, got " + d.length);
        }
        if (dims == 2) {
            double[] rx = {Math.cos(d[0]), Math.sin(d[0]), -Math.sin(d[0]), Math.cos(d[0])};
            double[] ry = {Math.cos(d[1]), -Math.sin(d[1]), Math.sin(d[1]), Math.cos(d[1])};
            double[] sc = {d[2], 0, 0, d[3]};
            double[] sh = {1, Math.tan(d[5]), Math.tan(d[4]), 1};
            double[] a = mul(sh, mul(sc, mul(ry, rx, 2), 2), 2);
            return new Affine(a, new double[] {d[6], d[7]});
        }
        double cx = Math.cos(d[0]), sx = Math.sin(d[0]);
        double cy = Math.cos(d[1]), sy = Math.sin(d[1]);
        double cz = Math.cos(d[2]), sz = Math.sin(d[2]);
        double[] rx = {1, 0, 0, 0, cx, sx, 0, -sx, cx};
        double[] ry = {cy, 0, -sy, 0, 1, 0, sy, 0, cy};
        double[] rz = {cz, sz, 0, -sz, cz, 0, 0, 0, 1};
        double[] sc = {d[3], 0, 0, 0, d[4], 0, 0, 0, d[5]};
        // draws 6..11 = s_xy, s_xz, s_yx, s_yz, s_zx, s_zy
        double[] sh = {1, Math.tan(d[8]), Math.tan(d[10]),
                Math.tan(d[6]), 1, Math.tan(d[11]),
                Math.tan(d[7]), Math.tan(d[9]), 1};
        double[] a = mul(sh, mul(sc, mul(rz, mul(ry, rx, 3), 3), 3), 3);
        return new Affine(a, new double[] {d[12], d[13], d[14]});
    }

    /** The reference's left-to-right {@code np.matmul} of two row-major n×n matrices. */
    private static double[] mul(double[] x, double[] y, int n) {
        double[] r = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += x[i * n + k] * y[k * n + j];
                r[i * n + j] = s;
            }
        }
        return r;
    }

    /**
     * Draws the transform parameters (reference order) for a field over {@code shape} with the training
     * ranges scaled by {@code degree}.
     */
    public static double[] drawParameters(int[] shape, double degree, Rng rng) {
        int nd = shape.length;
        int n = drawCount(nd);
        if (!(degree >= 0 && degree < 2)) {
            throw CoverException.usage("degree must be in [0, 2) so that the scale range 1 ± degree/2 stays positive, got " + degree);
        }
        double angle = degree * Math.PI / 9, scale = degree * 0.5, shear = degree * Math.PI / 32, trans = degree * 0.2;
        double[] d = new double[n];
        int k = 0;
        for (int i = 0; i < nd; i++) d[k++] = rng.uniform(-angle, angle);
        for (int i = 0; i < nd; i++) d[k++] = rng.uniform(1 - scale, 1 + scale);
        for (int i = 0; i < nd * (nd - 1); i++) d[k++] = rng.uniform(-shear, shear);
        for (int i = 0; i < nd; i++) d[k++] = rng.uniform(-trans * shape[i], trans * shape[i]);
        return d;
    }

    /** A random transform for a field over {@code shape} (ranges scaled by {@code degree}). */
    public static Affine random(int[] shape, double degree, Rng rng) {
        return fromDraws(shape.length, drawParameters(shape, degree, rng));
    }

    /** The displacement field of {@code affine} over the whole grid {@code shape}, C-order {@code (nd, shape...)}. */
    public static float[] flow(Affine affine, int[] shape) {
        return flow(affine, shape, new int[shape.length], shape.clone());
    }

    /**
     * The part of {@link #flow(Affine, int[])} at the positions of the box {@code [origin, origin+size)},
     * C-order over {@code (nd, size...)}; values are those of the full field (a crop of it).
     */
    public static float[] flow(Affine affine, int[] shape, int[] origin, int[] size) {
        int nd = shape.length;
        Shapes.checkDims(shape, "rand_coords");
        Shapes.checkBox(shape, origin, size, "rand_coords region");
        if (affine.dims() != nd) {
            throw new IllegalArgumentException("rand_coords: " + affine.dims() + "D transform for shape " + Arrays.toString(shape));
        }
        double[] a = affine.matrix();
        double[] t = affine.translation();
        int n = Shapes.count(size);
        // prod[e][d][i] = c_e·A[e][d] at box index i along axis e: the same float64 products as the reference's
        // row-times-matrix, computed once per axis instead of once per position.
        double[][][] prod = new double[nd][nd][];
        for (int e = 0; e < nd; e++) {
            for (int d = 0; d < nd; d++) {
                prod[e][d] = new double[size[e]];
                for (int i = 0; i < size[e]; i++) prod[e][d][i] = ((origin[e] + i) - (shape[e] - 1) / 2.0) * a[e * nd + d];
            }
        }
        float[] out = new float[nd * n];
        int depth = nd == 3 ? size[2] : 1;
        for (int d = 0; d < nd; d++) {
            double[] p0 = prod[0][d], p1 = prod[1][d], p2 = nd == 3 ? prod[2][d] : null;
            int centre = shape[d] / 2;
            int q = d * n;
            for (int i = 0; i < size[0]; i++) {
                for (int j = 0; j < size[1]; j++) {
                    double s01 = p0[i] + p1[j];
                    for (int k = 0; k < depth; k++, q++) {
                        double s = nd == 3 ? s01 + p2[k] : s01;
                        int pd = origin[d] + (d == 0 ? i : d == 1 ? j : k);
                        // Reference: (coords·A + T) + (S//2 − p), summed in float64, then cast to float32.
                        out[q] = (float) ((s + t[d]) + (double) (centre - pd));
                    }
                }
            }
        }
        return out;
    }

    /** The field of the identity transform: {@code S_d//2 − (S_d−1)/2} on channel d (0.5 for even sizes). */
    public static float[] identityFlow(int[] shape) {
        return flow(Affine.identity(shape.length), shape);
    }
}
