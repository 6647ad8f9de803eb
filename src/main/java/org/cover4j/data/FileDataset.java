package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.io.MedicalImages;
import org.cover4j.util.CoverException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A data set of image files (and label files or classes), read lazily with
 * {@link MedicalImages#read} on each {@link #get}. Wrap with {@link #cached()} to read each file once.
 *
 * <p>When a sample has a label map, the label must lie on the image's grid: same spatial shape and the same
 * affine (to 1e-3 of the largest entry); otherwise loading fails with a message naming both files. A label
 * stored with several identical channels (a grey mask saved as RGB) is reduced to one channel.
 */
public final class FileDataset implements Dataset {
    private static final double AFFINE_TOL = 1e-3;
    private final List<Entry> entries;

    public FileDataset(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public String id(int index) {
        return entries.get(index).id();
    }

    @Override
    public Sample get(int index) {
        Entry e = entries.get(index);
        Image image = MedicalImages.read(e.image());
        Image label = null;
        if (e.label() != null) {
            label = singleChannel(MedicalImages.read(e.label()));
            checkSameGrid(e, image, label);
        }
        return new Sample(image, label, e.classIndex(), e.id());
    }

    /** The entries at {@code indices}, as a file data set. */
    @Override
    public FileDataset subset(int[] indices) {
        List<Entry> out = new ArrayList<>(indices.length);
        for (int i : indices) out.add(entries.get(i));
        return new FileDataset(out);
    }

    /** The entries whose source named them part of {@code split}. */
    public FileDataset split(Split split) {
        return new FileDataset(entries.stream().filter(e -> e.split() == split).toList());
    }

    /** True if any entry carries a split from its source (manifest column or split folder). */
    public boolean hasSplits() {
        return entries.stream().anyMatch(e -> e.split() != null);
    }

    static Image singleChannel(Image label) {
        if (label.channels() == 1) return label;
        float[] d = label.data();
        int vox = (int) label.voxels();
        for (int c = 1; c < label.channels(); c++) {
            for (int v = 0; v < vox; v++) if (d[c * vox + v] != d[v]) return label;
        }
        return label.withData(Arrays.copyOf(d, vox), 1);
    }

    static void checkSameGrid(Entry e, Image image, Image label) {
        if (!Arrays.equals(image.shape(), label.shape())) {
            throw CoverException.file(e.label(), "label shape " + Arrays.toString(label.shape())
                    + " does not match image " + e.image().getFileName() + " shape " + Arrays.toString(image.shape()));
        }
        double[][] a = image.affine(), b = label.affine();
        double scale = 1, diff = 0;
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                scale = Math.max(scale, Math.abs(a[r][c]));
                diff = Math.max(diff, Math.abs(a[r][c] - b[r][c]));
            }
        }
        if (diff > AFFINE_TOL * scale) {
            throw CoverException.file(e.label(), "label geometry (affine) differs from image "
                    + e.image().getFileName() + " by up to " + String.format("%.4g", diff)
                    + " mm; resample the label onto the image grid");
        }
    }
}
