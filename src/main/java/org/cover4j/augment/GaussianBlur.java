package org.cover4j.augment;

/**
 * Separable Gaussian smoothing over the spatial axes of one sample, as {@code scipy.ndimage.gaussian_filter}
 * with {@code truncate=4} and {@code mode='reflect'} (half-sample symmetric: {@code d c b a | a b c d}).
 * Channels are never mixed (unlike the reference, which filtered its whole 4-D batch array).
 *
 * <p>Like scipy, the kernel is {@code exp(−x²/2σ²)} normalised to sum 1 over {@code |x| ≤ r},
 * {@code r = int(4σ + 0.5)}, and each axis pass accumulates in double (centre tap first, then symmetric
 * pairs, scipy's order) and stores float32. A radius of 0
 * (σ &lt; 0.125) is the one-tap kernel [1]: the data are left bit-for-bit unchanged.
 */
public final class GaussianBlur {
    /** scipy's default {@code truncate}: the kernel extends to 4 standard deviations. */
    public static final double TRUNCATE = 4.0;

    private GaussianBlur() {}

    /** scipy's kernel radius {@code int(truncate·σ + 0.5)}. */
    public static int radius(double sigma) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("blur sigma must be finite and ≥ 0, got " + sigma);
        return (int) (TRUNCATE * sigma + 0.5);
    }

    /** The normalised 1-D kernel of length {@code 2r+1}, index {@code r} = centre. */
    public static double[] kernel(double sigma) {
        int r = radius(sigma);
        double[] k = new double[2 * r + 1];
        if (r == 0) {
            k[0] = 1;
            return k;
        }
        double sum = 0;
        for (int x = -r; x <= r; x++) {
            k[x + r] = Math.exp(-0.5 / (sigma * sigma) * (double) (x * x));
            sum += k[x + r];
        }
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        return k;
    }

    /** Blurs {@code x} (C-order {@code (channels, spatial...)}) in place along every spatial axis. */
    public static void blur(float[] x, int channels, int[] spatial, double sigma) {
        Shapes.checkSample(x, channels, spatial, "blur");
        double[] k = kernel(sigma);
        if (k.length == 1) return;
        int n = Shapes.count(spatial);
        int longest = 0;
        for (int s : spatial) longest = Math.max(longest, s);
        double[] line = new double[longest + 2 * (k.length / 2)];
        for (int axis = 0; axis < spatial.length; axis++) {
            int len = spatial[axis];
            int stride = 1;
            for (int d = axis + 1; d < spatial.length; d++) stride *= spatial[d];
            int[] reflect = reflectIndex(len, k.length / 2);
            int outer = n / (len * stride);
            for (int c = 0; c < channels; c++) {
                for (int o = 0; o < outer; o++) {
                    for (int in = 0; in < stride; in++) {
                        int start = c * n + o * len * stride + in;
                        filterLine(x, start, stride, len, k, reflect, line);
                    }
                }
            }
        }
    }

    /** For padded position {@code i} (0 = {@code −r}), the source index under scipy's 'reflect' mode. */
    private static int[] reflectIndex(int len, int r) {
        int[] idx = new int[len + 2 * r];
        int period = 2 * len;
        for (int i = 0; i < idx.length; i++) {
            int m = Math.floorMod(i - r, period);
            idx[i] = m < len ? m : period - 1 - m;
        }
        return idx;
    }

    private static void filterLine(float[] x, int start, int stride, int len, double[] k, int[] reflect, double[] line) {
        int padded = reflect.length;
        for (int i = 0; i < padded; i++) line[i] = x[start + reflect[i] * stride];
        int r = k.length / 2;
        for (int i = 0; i < len; i++) {
            // scipy's order for symmetric kernels: centre tap, then the pairs (i−j, i+j) outwards.
            int ci = i + r;
            double s = line[ci] * k[r];
            for (int j = 1; j <= r; j++) s += (line[ci + j] + line[ci - j]) * k[r + j];
            x[start + i * stride] = (float) s;
        }
    }
}
