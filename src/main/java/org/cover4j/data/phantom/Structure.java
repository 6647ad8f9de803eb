package org.cover4j.data.phantom;

/**
 * One anatomical structure of a phantom: a rotated ellipse/ellipsoid (or, in 3D, a tube: an ellipse
 * extruded along local axis 2 with a sinusoidally bending centre line) whose boundary radius is modulated by
 * low-order angular harmonics, {@code ρ < 1 + Σ a_k m_k(direction)}. Coordinates are normalised to
 * {@code (−1, 1)} across the grid; {@link #level} is positive inside and approximately the signed distance to
 * the boundary in voxels near it (used for the label and for a one-voxel soft edge of the intensity).
 */
final class Structure {
    final int label;
    final float intensity;
    final float textureAmplitude;
    private final int dims;
    private final double c0, c1, c2;
    /** World → local rotation, row-major 3×3 (2D uses the upper 2×2). */
    private final double[] rot;
    private final double inv0, inv1, inv2;
    private final double[] harmonics;
    private final double voxelsPerUnit;
    /** Tube only: centre-line offsets on axes 0 and 1 per axis-2 grid index. */
    private final double[] bend0, bend1;

    Structure(int label, float intensity, float textureAmplitude, double[] center, double[] radii, double[] rot,
              double[] harmonics, int gridSize, double[] bend0, double[] bend1) {
        this.label = label;
        this.intensity = intensity;
        this.textureAmplitude = textureAmplitude;
        this.dims = center.length;
        this.c0 = center[0];
        this.c1 = center[1];
        this.c2 = dims == 3 ? center[2] : 0;
        this.rot = rot;
        boolean tube = bend0 != null;
        this.inv0 = 1 / radii[0];
        this.inv1 = 1 / radii[1];
        this.inv2 = dims == 3 && !tube ? 1 / radii[2] : 0;
        this.harmonics = harmonics;
        double minRadius = Math.min(radii[0], radii[1]);
        if (dims == 3 && !tube) minRadius = Math.min(minRadius, radii[2]);
        this.voxelsPerUnit = minRadius * gridSize / 2.0;
        this.bend0 = bend0;
        this.bend1 = bend1;
    }

    /** Signed level (voxels, positive inside) at normalised position (y, x, z); k = axis-2 grid index. */
    double level(double y, double x, double z, int k) {
        double d0 = y - c0, d1 = x - c1, d2 = z - c2;
        if (bend0 != null) {
            d0 -= bend0[k];
            d1 -= bend1[k];
        }
        double l0, l1, l2;
        if (dims == 2) {
            l0 = (rot[0] * d0 + rot[1] * d1) * inv0;
            l1 = (rot[3] * d0 + rot[4] * d1) * inv1;
            l2 = 0;
        } else {
            l0 = (rot[0] * d0 + rot[1] * d1 + rot[2] * d2) * inv0;
            l1 = (rot[3] * d0 + rot[4] * d1 + rot[5] * d2) * inv1;
            l2 = (rot[6] * d0 + rot[7] * d1 + rot[8] * d2) * inv2;
        }
        double rho = Math.sqrt(l0 * l0 + l1 * l1 + l2 * l2);
        if (rho > 2 || rho == 0) return (1 - rho) * voxelsPerUnit;   // far away or the centre: no modulation needed
        double a = l0 / rho, b = l1 / rho, g = l2 / rho;
        double[] h = harmonics;
        // Low-order angular harmonics of the unit direction (in 2D: sin 2θ, cos 2θ, cos 3θ, sin 3θ).
        double f = 1 + h[0] * a * b + h[1] * (a * a - b * b) + h[2] * a * (a * a - 3 * b * b) + h[3] * b * (3 * a * a - b * b);
        if (dims == 3) f += h[4] * b * g + h[5] * a * g + h[6] * (1.5 * g * g - 0.5) + h[7] * 3 * a * b * g;
        return (f - rho) * voxelsPerUnit;
    }

    /** World → local rotation for in-plane angle {@code theta} (about axis 2) and, in 3D, tilts about axes 0 and 1. */
    static double[] rotation(double theta, double tilt0, double tilt1) {
        double ct = Math.cos(theta), st = Math.sin(theta);
        double[] rz = {ct, -st, 0, st, ct, 0, 0, 0, 1};
        double ca = Math.cos(tilt0), sa = Math.sin(tilt0);
        double[] rx = {1, 0, 0, 0, ca, -sa, 0, sa, ca};
        double cb = Math.cos(tilt1), sb = Math.sin(tilt1);
        double[] ry = {cb, 0, sb, 0, 1, 0, -sb, 0, cb};
        double[] r = mul(rz, mul(ry, rx));
        double[] t = new double[9];   // local = Rᵀ·(v − c)
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) t[i * 3 + j] = r[j * 3 + i];
        return t;
    }

    private static double[] mul(double[] x, double[] y) {
        double[] r = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) r[i * 3 + j] += x[i * 3 + k] * y[k * 3 + j];
        return r;
    }
}
