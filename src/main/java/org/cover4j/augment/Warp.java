package org.cover4j.augment;

/**
 * The reference {@code SpatialTransformer} forward pass (SPEC §1.2) on plain float arrays, for one sample:
 * {@code out[c, p] = src[c](s(p))} with {@code s_d = loc_d·S_d/(S_d−1) − 0.5}, {@code loc = p + flow(p)},
 * bilinear (2D) or trilinear (3D) interpolation and zero padding (out-of-range neighbours contribute 0; the
 * weights are not renormalised). A zero flow is therefore NOT the identity — this is the reference's quirk,
 * kept so that ground-truth fixed views are the ones the reference code would make.
 *
 * <p>The arithmetic copies libtorch's float32 CPU {@code grid_sample} operation by operation, so results agree
 * with the reference fixtures to the last bit or so: the location is normalised as
 * {@code g = 2·(loc/(S−1) − 0.5)} (what {@code STN.py} does) and then un-normalised the way each kernel does
 * it — the vectorised 2D kernel computes {@code (g+1)·(S/2) − 0.5} and weights {@code (1−dy)(1−dx)…} from
 * the fractional parts, with fused multiply-adds (the fixtures' AVX2 build contracted the un-normalisation
 * and the four-term sum into FMAs: with them the 2D fixtures are matched bit for bit, without them to
 * ~1e-6), the scalar 3D kernel computes {@code ((g+1)·S − 1)/2} and weights from the distances to the far
 * corners, unfused. (Algebraically equal; they round differently.)
 *
 * <p>Layouts: {@code src} is C-order over {@code (channels, spatial...)}; {@code flow} is C-order over
 * {@code (nd, spatial...)} with channel d = displacement along spatial axis d (SPEC §1.1). The source and the
 * flow have the same spatial shape, as everywhere in the reference.
 */
public final class Warp {
    private Warp() {}

    /** Warps one sample: {@code src (channels, spatial...)} by {@code flow (nd, spatial...)}. */
    public static float[] warp(float[] src, int channels, int[] spatial, float[] flow) {
        int[] origin = new int[spatial.length];
        return warpRegion(src, channels, spatial, flow, origin, spatial.clone());
    }

    /**
     * Warps only the output positions of the box {@code [origin, origin+size)}: exactly the corresponding
     * part of {@link #warp} (same positions, same normalisation by the full shape), for callers that keep
     * only a crop of the warped image. {@code flowRegion} holds the flow at the box positions only,
     * C-order over {@code (nd, size...)}; the result is C-order over {@code (channels, size...)}.
     */
    public static float[] warpRegion(float[] src, int channels, int[] spatial, float[] flowRegion,
                                     int[] origin, int[] size) {
        int nd = spatial.length;
        Shapes.checkSample(src, channels, spatial, "warp source");
        Shapes.checkBox(spatial, origin, size, "warp region");
        int n = Shapes.count(size);
        if (flowRegion.length != nd * n) {
            throw new IllegalArgumentException("warp: flow has " + flowRegion.length + " values, expected "
                    + nd + "×" + n);
        }
        float[] out = new float[channels * n];
        if (nd == 2) warp2d(src, channels, spatial, flowRegion, origin, size, out);
        else warp3d(src, channels, spatial, flowRegion, origin, size, out);
        return out;
    }

    private static void warp2d(float[] src, int channels, int[] spatial, float[] flow, int[] origin, int[] size,
                               float[] out) {
        final int h = spatial[0], w = spatial[1];
        final int plane = h * w;
        final int oh = size[0], ow = size[1];
        final int n = oh * ow;
        final float denH = h - 1, denW = w - 1;
        final float halfH = (float) h / 2, halfW = (float) w / 2;
        for (int i = 0; i < oh; i++) {
            final float pi = origin[0] + i;
            for (int j = 0; j < ow; j++) {
                final int q = i * ow + j;
                final float sy = unnormalize2d(normalize(pi + flow[q], denH), halfH);
                final float sx = unnormalize2d(normalize((float) (origin[1] + j) + flow[n + q], denW), halfW);
                // libtorch's vectorised kernel: floor, fractional distances, four products, in this order.
                final float yn = (float) Math.floor(sy), xw = (float) Math.floor(sx);
                final float dw = sx - xw, de = 1f - dw, dn = sy - yn, ds = 1f - dn;
                final float nw = ds * de, ne = ds * dw, sw = dn * de, se = dn * dw;
                // Neighbour validity decided on floats first, so huge or NaN locations never become indices.
                final boolean yIn0 = yn >= 0 && yn <= h - 1, yIn1 = yn >= -1 && yn <= h - 2;
                final boolean xIn0 = xw >= 0 && xw <= w - 1, xIn1 = xw >= -1 && xw <= w - 2;
                final int y0 = yIn0 || yIn1 ? (int) yn : 0, x0 = xIn0 || xIn1 ? (int) xw : 0;
                final int base = y0 * w + x0;
                for (int c = 0, off = 0; c < channels; c++, off += plane) {
                    final float vnw = yIn0 && xIn0 ? src[off + base] : 0f;
                    final float vne = yIn0 && xIn1 ? src[off + base + 1] : 0f;
                    final float vsw = yIn1 && xIn0 ? src[off + base + w] : 0f;
                    final float vse = yIn1 && xIn1 ? src[off + base + w + 1] : 0f;
                    out[c * n + q] = fma(vse, se, fma(vsw, sw, fma(vne, ne, vnw * nw)));
                }
            }
        }
    }

    private static void warp3d(float[] src, int channels, int[] spatial, float[] flow, int[] origin, int[] size,
                               float[] out) {
        final int s0 = spatial[0], s1 = spatial[1], s2 = spatial[2];
        final int st0 = s1 * s2, vol = s0 * st0;
        final int o0 = size[0], o1 = size[1], o2 = size[2];
        final int n = o0 * o1 * o2;
        final float den0 = s0 - 1, den1 = s1 - 1, den2 = s2 - 1;
        for (int i = 0; i < o0; i++) {
            final float pi = origin[0] + i;
            for (int j = 0; j < o1; j++) {
                final float pj = origin[1] + j;
                for (int k = 0; k < o2; k++) {
                    final int q = (i * o1 + j) * o2 + k;
                    final float a0 = unnormalize3d(normalize(pi + flow[q], den0), s0);
                    final float a1 = unnormalize3d(normalize(pj + flow[n + q], den1), s1);
                    final float a2 = unnormalize3d(normalize((float) (origin[2] + k) + flow[2 * n + q], den2), s2);
                    final float f0 = (float) Math.floor(a0), f1 = (float) Math.floor(a1), f2 = (float) Math.floor(a2);
                    // libtorch's scalar 3D kernel: distances to the far corner, (x·y)·z products; its x is our
                    // axis 2, y axis 1, z axis 0 (grid components are reversed).
                    final float hi2 = (f2 + 1f) - a2, lo2 = a2 - f2;
                    final float hi1 = (f1 + 1f) - a1, lo1 = a1 - f1;
                    final float hi0 = (f0 + 1f) - a0, lo0 = a0 - f0;
                    final float tnw = hi2 * hi1 * hi0, tne = lo2 * hi1 * hi0;
                    final float tsw = hi2 * lo1 * hi0, tse = lo2 * lo1 * hi0;
                    final float bnw = hi2 * hi1 * lo0, bne = lo2 * hi1 * lo0;
                    final float bsw = hi2 * lo1 * lo0, bse = lo2 * lo1 * lo0;
                    final boolean in00 = f0 >= 0 && f0 <= s0 - 1, in01 = f0 >= -1 && f0 <= s0 - 2;
                    final boolean in10 = f1 >= 0 && f1 <= s1 - 1, in11 = f1 >= -1 && f1 <= s1 - 2;
                    final boolean in20 = f2 >= 0 && f2 <= s2 - 1, in21 = f2 >= -1 && f2 <= s2 - 2;
                    final int i0 = in00 || in01 ? (int) f0 : 0;
                    final int i1 = in10 || in11 ? (int) f1 : 0;
                    final int i2 = in20 || in21 ? (int) f2 : 0;
                    final int base = i0 * st0 + i1 * s2 + i2;
                    for (int c = 0, off = 0; c < channels; c++, off += vol) {
                        final int b = off + base;
                        float acc = 0f;
                        if (in00 && in10 && in20) acc += src[b] * tnw;
                        if (in00 && in10 && in21) acc += src[b + 1] * tne;
                        if (in00 && in11 && in20) acc += src[b + s2] * tsw;
                        if (in00 && in11 && in21) acc += src[b + s2 + 1] * tse;
                        if (in01 && in10 && in20) acc += src[b + st0] * bnw;
                        if (in01 && in10 && in21) acc += src[b + st0 + 1] * bne;
                        if (in01 && in11 && in20) acc += src[b + st0 + s2] * bsw;
                        if (in01 && in11 && in21) acc += src[b + st0 + s2 + 1] * bse;
                        out[c * n + q] = acc;
                    }
                }
            }
        }
    }

    /** {@code STN.py}: {@code 2 * (loc / (S-1) - 0.5)}, in float32. */
    private static float normalize(float loc, float sizeMinusOne) {
        return 2f * (loc / sizeMinusOne - 0.5f);
    }

    /** libtorch's vectorised (2D) align_corners=False un-normalisation: {@code (g + 1)·(S/2) − 0.5}, fused. */
    private static float unnormalize2d(float g, float halfSize) {
        return fma(g + 1f, halfSize, -0.5f);
    }

    /**
     * {@code a·b + c} with one rounding to float, as the FMA instructions the reference's AVX2 kernel was
     * compiled to. The float product is exact in double, so the double sum rounded to float equals the fused
     * result except in vanishingly rare double-rounding ties; this avoids {@link Math#fma}'s very slow
     * software fallback on CPUs without FMA.
     */
    private static float fma(float a, float b, float c) {
        return (float) ((double) a * (double) b + (double) c);
    }

    /** libtorch's scalar (3D) align_corners=False un-normalisation: {@code ((g + 1)·S − 1)/2}. */
    private static float unnormalize3d(float g, int size) {
        return ((g + 1f) * size - 1f) * 0.5f;   // = /2 exactly (power of two)
    }
}
