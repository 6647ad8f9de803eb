package org.cover4j.train;

import org.cover4j.util.CoverException;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * A rough lower bound of one training step's memory, checked before anything is allocated so that an impossible
 * {@code --batch} or {@code --size} is refused with a line instead of ending in an out-of-memory kill minutes later.
 *
 * <p>The bound counts the U-Net's activations only: at each of its nine levels (encoder 0..4, decoder 3..0) a feature
 * map of channels × voxels (the crop's voxels divided by 2^level per axis), float32, for each image of the batch, times
 * 3 for what the backward pass keeps of a level (its convolution output, normalised and activated copies). Weights,
 * gradients, optimizer state, data and the runtime come on top, and methods that encode two views per image need about
 * twice as much, so the real peak is higher; the bound only rejects what cannot fit at all.
 */
public final class MemoryEstimate {
    /** The U-Net level of each of the nine channel counts (resolution halves per level). */
    private static final int[] LEVEL = {0, 1, 2, 3, 4, 3, 2, 1, 0};
    /** Copies of a level's feature map the backward pass keeps (convolution output, normalised, activated). */
    static final int BACKWARD_FACTOR = 3;

    private MemoryEstimate() {}

    /** The lower bound in bytes for {@code batch} crops of {@code crop} voxels per axis through U-Net {@code channels}. */
    public static double stepBytes(int[] channels, int[] crop, long batch) {
        double floats = 0;
        for (int i = 0; i < channels.length && i < LEVEL.length; i++) {
            double voxels = 1;
            for (int s : crop) voxels *= Math.max(1, s >> LEVEL[i]);
            floats += channels[i] * voxels;
        }
        return floats * batch * 4.0 * BACKWARD_FACTOR;
    }

    /** This machine's physical memory (the container's limit where there is one), or 0 when unknown. */
    public static long physicalBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getTotalMemorySize();
        return 0;
    }

    /**
     * Refuses (usage error) a step whose lower bound exceeds the machine's physical memory; only on the CPU, whose
     * memory this is ({@code device} "cpu").
     */
    public static void check(int[] channels, int[] crop, long batch, String device, String sizeFlag) {
        if (device != null && !device.startsWith("cpu")) return;
        long physical = physicalBytes();
        double need = stepBytes(channels, crop, batch);
        if (physical > 0 && need > physical) {
            throw CoverException.usage(String.format(Locale.ROOT, "--batch %d with %s %s needs at least %s of memory for one training step "
                    + "(a rough lower bound: the U-Net's activations, channels x voxels x batch x 4 bytes over its 9 levels, x%d for the "
                    + "backward pass), more than this machine's %s; lower --batch or %s", batch, sizeFlag, crop.length == 0 ? "" : join(crop),
                    gib(need), BACKWARD_FACTOR, gib(physical), sizeFlag));
        }
    }

    private static String join(int[] crop) {
        StringBuilder b = new StringBuilder();
        for (int c : crop) b.append(b.length() > 0 ? "x" : "").append(c);
        return b.toString();
    }

    private static String gib(double bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
    }
}
