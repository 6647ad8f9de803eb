package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.util.CoverException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * 2D slices drawn from a data set of 3D volumes along one axis (image and label sliced alike; class kept).
 * Slice ids are {@code <volume id>_ax<axis>_<index>} with a zero-padded index.
 *
 * <p>The constructor loads every volume once to count its slices and find the empty ones; {@link #get}
 * loads the volume again, so wrap the volume data set with {@link Dataset#cached()} when it fits in memory.
 */
public final class SliceSource implements Dataset {
    /** Which slices to leave out. */
    public enum Skip {
        /** Keep every slice. */
        NONE,
        /** Leave out slices whose image is constant (all background). */
        EMPTY_IMAGE,
        /** Leave out slices whose label is all zero (volumes without labels: as EMPTY_IMAGE). */
        EMPTY_LABEL
    }

    private final Dataset volumes;
    private final int axis;
    private final int[] volumeOf;
    private final int[] sliceOf;

    public SliceSource(Dataset volumes, int axis, Skip skip) {
        this.volumes = volumes;
        this.axis = axis;
        if (axis < 0 || axis > 2) throw CoverException.usage("slice axis must be 0, 1 or 2, got " + axis);
        List<int[]> index = new ArrayList<>();
        for (int v = 0; v < volumes.size(); v++) {
            Sample s = volumes.get(v);
            if (s.image().ndim() != 3) {
                throw new CoverException(s.id() + ": slicing needs a 3D volume, got shape " + Arrays.toString(s.image().shape()));
            }
            int n = s.image().dim(axis);
            for (int k = 0; k < n; k++) {
                if (keep(s, k, skip)) index.add(new int[] {v, k});
            }
        }
        volumeOf = index.stream().mapToInt(a -> a[0]).toArray();
        sliceOf = index.stream().mapToInt(a -> a[1]).toArray();
    }

    private boolean keep(Sample s, int k, Skip skip) {
        return switch (skip) {
            case NONE -> true;
            case EMPTY_IMAGE -> !constant(ImageOps.slice(s.image(), axis, k));
            case EMPTY_LABEL -> s.hasLabel() ? !allZero(ImageOps.slice(s.label(), axis, k))
                    : !constant(ImageOps.slice(s.image(), axis, k));
        };
    }

    private static boolean constant(Image img) {
        float[] d = img.data();
        for (float v : d) if (v != d[0]) return false;
        return true;
    }

    private static boolean allZero(Image img) {
        for (float v : img.data()) if (v != 0f) return false;
        return true;
    }

    @Override
    public int size() {
        return volumeOf.length;
    }

    @Override
    public Sample get(int index) {
        Sample s = volumes.get(volumeOf[index]);
        int k = sliceOf[index];
        Image image = ImageOps.slice(s.image(), axis, k);
        Image label = s.hasLabel() ? ImageOps.slice(s.label(), axis, k) : null;
        return new Sample(image, label, s.classIndex(), sliceId(volumes.id(volumeOf[index]), k));
    }

    @Override
    public String id(int index) {
        return sliceId(volumes.id(volumeOf[index]), sliceOf[index]);
    }

    /** Which volume (index into the volume data set) the slice at {@code index} comes from. */
    public int volumeIndex(int index) {
        return volumeOf[index];
    }

    /** The slice number along the axis of the slice at {@code index}. */
    public int sliceIndex(int index) {
        return sliceOf[index];
    }

    private String sliceId(String volumeId, int k) {
        return volumeId + "_ax" + axis + "_" + String.format("%03d", k);
    }
}
