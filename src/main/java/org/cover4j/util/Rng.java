package org.cover4j.util;

/**
 * The project's seeded random generator (xoshiro256**), with its whole state readable and restorable so
 * that a checkpoint can record it and a resumed run draws the same numbers.
 *
 * <p>Streams are derived, never shared: {@link #derive(long...)} makes an independent generator from this
 * one's seed and a path of integers (e.g. {@code (step, sample)}), so worker threads draw the same numbers
 * whatever their scheduling. Same seed, same path ⇒ same numbers, on any machine.
 */
public final class Rng {
    private long s0, s1, s2, s3;
    private final long seed;
    private double spareGaussian;
    private boolean hasSpare;

    public Rng(long seed) {
        this.seed = seed;
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x += 0x9E3779B97F4A7C15L);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The seed this generator was built from. */
    public long seed() {
        return seed;
    }

    /** An independent generator for a sub-stream identified by {@code path} (e.g. step and sample index). */
    public Rng derive(long... path) {
        long h = splitMix(seed ^ 0x5DEECE66DL);
        for (long p : path) h = splitMix(h ^ splitMix(p + 0x632BE59BD9B4E019L));
        return new Rng(h);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [lo, hi). */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Integer uniform in [lo, hi) (numpy's {@code randint} convention: high exclusive). */
    public int randint(int lo, int hi) {
        if (hi <= lo) throw new IllegalArgumentException("randint: empty range [" + lo + ", " + hi + ")");
        long span = (long) hi - lo;
        return (int) (lo + Math.floorMod(nextLong() >>> 1, span));
    }

    /** Standard normal (Marsaglia polar method; the second value is kept for the next call). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * m;
        hasSpare = true;
        return u * m;
    }

    public double gaussian(double mean, double std) {
        return mean + std * nextGaussian();
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = randint(0, i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The full state, for checkpoints: {@code [seed, s0, s1, s2, s3, hasSpare, bits(spare)]}. */
    public long[] state() {
        return new long[] {seed, s0, s1, s2, s3, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spareGaussian)};
    }

    public static Rng fromState(long[] st) {
        if (st == null || st.length != 7) throw new CoverException("random-generator state must have 7 entries");
        Rng r = new Rng(st[0]);
        r.s0 = st[1];
        r.s1 = st[2];
        r.s2 = st[3];
        r.s3 = st[4];
        r.hasSpare = st[5] != 0;
        r.spareGaussian = Double.longBitsToDouble(st[6]);
        return r;
    }
}
