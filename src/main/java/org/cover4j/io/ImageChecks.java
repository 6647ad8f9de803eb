package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Checks on voxel values that readers deliberately do not make: NaN and infinite voxels are legal in float files
 * and are returned as read; code that cannot use them (training, normalisation) calls {@link #requireFinite}.
 */
public final class ImageChecks {
    private ImageChecks() {}

    /** Throws a {@link CoverException} naming the file, the counts and the first bad voxel if any value is NaN or ±Inf. */
    public static void requireFinite(Image image, Path file) {
        float[] v = image.data();
        long nan = 0, inf = 0;
        int first = -1;
        for (int i = 0; i < v.length; i++) {
            if (Float.isNaN(v[i])) nan++;
            else if (Float.isInfinite(v[i])) inf++;
            else continue;
            if (first < 0) first = i;
        }
        if (first < 0) return;
        throw CoverException.file(file, "contains non-finite voxels (" + nan + " NaN, " + inf + " infinite), the first at "
                + describe(image, first) + "; clean or mask the image before using it");
    }

    /** "channel c, index (i, j, k)" for a flat position in the channel-first C-order array. */
    static String describe(Image image, int flat) {
        int[] shape = image.shape();
        long voxels = image.voxels();
        int channel = (int) (flat / voxels);
        long rest = flat % voxels;
        int[] idx = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            idx[a] = (int) (rest % shape[a]);
            rest /= shape[a];
        }
        String where = "index " + Arrays.toString(idx).replace('[', '(').replace(']', ')');
        return image.channels() > 1 ? "channel " + channel + ", " + where : where;
    }
}
