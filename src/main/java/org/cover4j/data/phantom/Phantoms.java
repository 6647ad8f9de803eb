package org.cover4j.data.phantom;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;

import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic synthetic "abdominal" phantoms for the embedded demo data and for tests: from a seed and an
 * index, a 2D slice or a 3D volume with labels, shaped and textured enough that self-supervised pre-training
 * and a small segmentation model have something to learn.
 *
 * <p>Contents (axis 0 = anterior→posterior rows, axis 1 = left→right columns, axis 2 = cranio-caudal):
 * <ol>
 *   <li>body — a large ellipse (3D: an elongated ellipsoid filling most slices);</li>
 *   <li>organ — a liver-like ellipse on one side;</li>
 *   <li>paired organs — two kidney-like ellipses, mirrored with independent jitter (one label);</li>
 *   <li>2D: a small round lesion inside the organ; 3D: a vessel-like tube running along axis 2 with a
 *       bending centre line.</li>
 * </ol>
 * Per index, every shape gets random centre, radii and rotation, boundary modulation by low-order angular
 * harmonics, and the whole picture a smooth random domain warp; each structure gets its own mean intensity
 * (drawn from disjoint ranges, so intensity separates the classes on average) and smooth multiplicative
 * texture; then a smooth multiplicative bias field and Gaussian noise, clipped to [0, 1]. Edges are soft over
 * about one pixel (partial volume); labels are the hard inside test.
 *
 * <p>Same seed, index and size ⇒ the same arrays, on any machine.
 */
public final class Phantoms {
    /** Number of labelled structures (labels 1..STRUCTURES; 0 is the background). */
    public static final int STRUCTURES = 4;
    /** Names of labels 0..STRUCTURES. */
    public static final List<String> LABEL_NAMES = List.of("background", "body", "organ", "paired organs", "lesion/vessel");
    public static final int MIN_SIZE = 16;
    public static final int MAX_SIZE_2D = 2048;
    public static final int MAX_SIZE_3D = 512;
    /** The seed of the built-in phantoms: pre-training without --data, the demo and the analyses draw from it. */
    public static final long BUILT_IN_SEED = 20250601L;

    private Phantoms() {}

    /** A {@code size × size} slice. */
    public static Phantom image2d(long seed, int index, int size) {
        return generate(2, seed, index, size, MAX_SIZE_2D);
    }

    /** A {@code size³} volume. */
    public static Phantom volume3d(long seed, int index, int size) {
        return generate(3, seed, index, size, MAX_SIZE_3D);
    }

    private static Phantom generate(int dims, long seed, int index, int size, int maxSize) {
        if (size < MIN_SIZE || size > maxSize) {
            throw CoverException.usage("phantom size must be in [" + MIN_SIZE + ", " + maxSize + "] for " + dims + "D, got " + size);
        }
        if (index < 0) throw CoverException.usage("phantom index must be ≥ 0, got " + index);
        Rng root = new Rng(seed).derive(dims, index);
        Rng rng = root.derive(0);
        List<Structure> structures = layout(dims, size, rng);
        float background = (float) rng.uniform(0.0, 0.06);
        double warpAmplitude = rng.uniform(0.02, 0.05);
        double biasAmplitude = rng.uniform(0.05, 0.15);
        double noiseStd = rng.uniform(0.005, 0.02);

        float[][] warp = new float[dims][];
        for (int d = 0; d < dims; d++) warp[d] = SmoothField.generate(dims, size, 3, root.derive(1, d));
        float[] texture = SmoothField.generate(dims, size, Math.max(4, size / 12), root.derive(2));
        float[] bias = SmoothField.generate(dims, size, 2, root.derive(3));

        int n = (int) Math.pow(size, dims);
        float[] image = new float[n];
        int[] labels = new int[n];
        Structure[] shapes = structures.toArray(new Structure[0]);
        int depth = dims == 3 ? size : 1;
        double half = size / 2.0;
        for (int i = 0, q = 0; i < size; i++) {
            double u0 = (i + 0.5 - half) / half;
            for (int j = 0; j < size; j++) {
                double u1 = (j + 0.5 - half) / half;
                for (int k = 0; k < depth; k++, q++) {
                    double v0 = u0 + warpAmplitude * warp[0][q];
                    double v1 = u1 + warpAmplitude * warp[1][q];
                    double v2 = dims == 3 ? (k + 0.5 - half) / half + warpAmplitude * warp[2][q] : 0;
                    float value = background;
                    int label = 0;
                    for (Structure s : shapes) {
                        double level = s.level(v0, v1, v2, k);
                        if (level > -0.5) {
                            float m = (float) Math.min(1, level + 0.5);
                            float t = s.intensity * (1 + s.textureAmplitude * texture[q]);
                            value += m * (t - value);
                        }
                        if (level > 0) label = s.label;
                    }
                    image[q] = value * (float) (1 + biasAmplitude * bias[q]);
                    labels[q] = label;
                }
            }
        }
        Rng noise = root.derive(4);
        for (int q = 0; q < n; q++) {
            image[q] = (float) Math.min(1, Math.max(0, image[q] + noiseStd * noise.nextGaussian()));
        }
        int[] shape = new int[dims];
        java.util.Arrays.fill(shape, size);
        return new Phantom(image, labels, shape);
    }

    /** Draws the structures, in painting order (later ones cover earlier ones). */
    private static List<Structure> layout(int dims, int size, Rng rng) {
        List<Structure> out = new ArrayList<>();
        boolean is3d = dims == 3;
        // 1. body
        double[] bc = {rng.uniform(-0.04, 0.04), rng.uniform(-0.04, 0.04), 0};
        double[] br = {rng.uniform(0.58, 0.72), rng.uniform(0.78, 0.88), rng.uniform(1.6, 2.0)};
        out.add(shape(1, rng.uniform(0.28, 0.40), dims, size, bc, br, rng.uniform(-0.12, 0.12), 0.05, 0.1, rng));
        // 2. organ, on the low-column side
        double[] oc = {bc[0] - br[0] * rng.uniform(0.05, 0.3), bc[1] - br[1] * rng.uniform(0.2, 0.4), rng.uniform(-0.2, 0.2)};
        double[] or = {br[0] * rng.uniform(0.35, 0.5), br[1] * rng.uniform(0.25, 0.35), rng.uniform(0.35, 0.55)};
        out.add(shape(2, rng.uniform(0.50, 0.62), dims, size, oc, or, rng.uniform(-0.5, 0.5), 0.08, 0.2, rng));
        // 3. paired organs, posterior, mirrored about the body's centre column
        float pairedIntensity = (float) rng.uniform(0.68, 0.78);
        for (int side = -1; side <= 1; side += 2) {
            double[] pc = {bc[0] + br[0] * rng.uniform(0.25, 0.42), bc[1] + side * br[1] * rng.uniform(0.38, 0.52), rng.uniform(-0.2, 0.2)};
            double[] pr = {br[0] * rng.uniform(0.15, 0.22), br[1] * rng.uniform(0.1, 0.14), rng.uniform(0.2, 0.3)};
            out.add(shape(3, pairedIntensity, dims, size, pc, pr, side * rng.uniform(0.2, 0.6), 0.06, 0.2, rng));
        }
        // 4. 2D: a round lesion inside the organ; 3D: a bending tube along axis 2 between the paired organs
        float brightest = (float) rng.uniform(0.86, 0.96);
        if (!is3d) {
            double[] lc = {oc[0] + or[0] * rng.uniform(-0.35, 0.35), oc[1] + or[1] * rng.uniform(-0.35, 0.35), 0};
            double r = rng.uniform(0.05, 0.09);
            out.add(shape(4, brightest, dims, size, lc, new double[] {r, r, r}, 0, 0.03, 0, rng));
        } else {
            double[] vc = {bc[0] + br[0] * rng.uniform(0.05, 0.2), bc[1] + br[1] * rng.uniform(-0.08, 0.08), 0};
            double r = rng.uniform(0.05, 0.08);
            double freq = rng.uniform(1.5, 3.0);
            double[] bend0 = new double[size], bend1 = new double[size];
            double a0 = rng.uniform(-0.06, 0.06), a1 = rng.uniform(-0.06, 0.06);
            double p0 = rng.uniform(0, 2 * Math.PI), p1 = rng.uniform(0, 2 * Math.PI);
            for (int k = 0; k < size; k++) {
                double z = (k + 0.5 - size / 2.0) / (size / 2.0);
                bend0[k] = a0 * Math.sin(freq * z + p0);
                bend1[k] = a1 * Math.sin(freq * z + p1);
            }
            out.add(new Structure(4, brightest, (float) rng.uniform(0.02, 0.05), vc, new double[] {r, r, 1},
                    Structure.rotation(0, rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1)), harmonics(0.03, rng), size, bend0, bend1));
        }
        return out;
    }

    private static Structure shape(int label, double intensity, int dims, int size, double[] center, double[] radii,
                                   double theta, double modulation, double maxTilt, Rng rng) {
        double tilt0 = dims == 3 ? rng.uniform(-maxTilt, maxTilt) : 0;
        double tilt1 = dims == 3 ? rng.uniform(-maxTilt, maxTilt) : 0;
        double[] c = dims == 3 ? center : new double[] {center[0], center[1]};
        return new Structure(label, (float) intensity, (float) rng.uniform(0.03, 0.08), c, radii,
                Structure.rotation(theta, tilt0, tilt1), harmonics(modulation, rng), size, null, null);
    }

    private static double[] harmonics(double amplitude, Rng rng) {
        double[] h = new double[8];
        for (int i = 0; i < h.length; i++) h[i] = rng.uniform(-amplitude, amplitude);
        return h;
    }
}
