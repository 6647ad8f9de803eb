package org.cover4j.io;

import java.util.Arrays;

/**
 * An image or volume in memory: float32 voxels with their geometry.
 *
 * <p>Layout: {@code data} is C-order over {@code (channels, shape[0], shape[1], ...)}, i.e. the last
 * spatial axis varies fastest. Spatial axis order is the file's own index order as nibabel reports
 * it: for NIfTI/MetaImage/DICOM volumes {@code (i, j, k[, t])}; for 2D pictures {@code (rows, columns)}.
 * This is the tensor convention of the whole project (axis 0 = y/rows, axis 1 = x/columns, axis 2 = z).
 *
 * <p>{@code affine} is the 4×4 matrix taking a voxel index {@code (i, j, k, 1)} to world millimetres in
 * RAS+ (NIfTI/nibabel convention); readers of LPS formats (DICOM, MetaImage) convert. For 2D pictures
 * it is the identity scaled by the spacing. {@code spacing} has one entry per spatial axis.
 */
public final class Image {
    private final float[] data;
    private final int channels;
    private final int[] shape;
    private final double[] spacing;
    private final double[][] affine;
    private final String format;
    private final String datatype;

    public Image(float[] data, int channels, int[] shape, double[] spacing, double[][] affine,
                 String format, String datatype) {
        long n = (long) channels;
        for (int s : shape) {
            if (s <= 0) throw new IllegalArgumentException("non-positive dimension in " + Arrays.toString(shape));
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("data length " + data.length + " != channels " + channels
                    + " x shape " + Arrays.toString(shape));
        }
        if (spacing.length != shape.length) {
            throw new IllegalArgumentException("spacing has " + spacing.length + " entries for " + shape.length + " axes");
        }
        this.data = data;
        this.channels = channels;
        this.shape = shape.clone();
        this.spacing = spacing.clone();
        this.affine = copy(affine == null ? scaledIdentity(spacing) : affine);
        this.format = format;
        this.datatype = datatype;
    }

    /** A single-channel image with unit spacing and an identity affine (synthetic data, tests). */
    public static Image of(float[] data, int... shape) {
        double[] sp = new double[shape.length];
        Arrays.fill(sp, 1.0);
        return new Image(data, 1, shape, sp, null, "memory", "float32");
    }

    /** Same geometry, new voxels (e.g. after an intensity normalisation). */
    public Image withData(float[] newData, int newChannels) {
        return new Image(newData, newChannels, shape, spacing, affine, format, datatype);
    }

    public static double[][] scaledIdentity(double[] spacing) {
        double[][] a = new double[4][4];
        for (int i = 0; i < 4; i++) a[i][i] = 1;
        for (int i = 0; i < Math.min(3, spacing.length); i++) a[i][i] = spacing[i];
        return a;
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[4][];
        for (int i = 0; i < 4; i++) c[i] = m[i].clone();
        return c;
    }

    public float[] data() { return data; }
    public int channels() { return channels; }
    public int[] shape() { return shape.clone(); }
    public int ndim() { return shape.length; }
    public int dim(int axis) { return shape[axis]; }
    public double[] spacing() { return spacing.clone(); }
    public double[][] affine() { return copy(affine); }
    public String format() { return format; }
    public String datatype() { return datatype; }

    /** Number of voxels per channel. */
    public long voxels() {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    @Override
    public String toString() {
        return format + " " + datatype + " " + Arrays.toString(shape) + (channels > 1 ? " x" + channels + "ch" : "");
    }
}
