package org.cover4j.data;

import org.cover4j.io.Image;
import org.cover4j.io.Affines;
import org.cover4j.util.CoverException;

import java.util.Arrays;

/**
 * Geometric operations on {@link Image}s: pure functions returning new images whose affine is updated
 * exactly, so that every voxel keeps its world position (in 2D, 3D and 4D, any channel count).
 *
 * <p>Conventions, chosen to match the tools users compare against:
 * <ul>
 * <li>{@link #resampleToSpacing}: MONAI's {@code Spacing} (and ITK's ResampleImageFilter with an unchanged
 * origin): the <b>centre of voxel (0,0,0) keeps its world position</b>, output voxel {@code j} samples the
 * input at index {@code j * newSpacing / oldSpacing}, and the output has {@code rint((n-1) * old/new + 1)}
 * voxels along each axis (numpy's round-half-to-even, as MONAI's {@code compute_shape_offset}), so the first and last voxel centres span
 * the same extent. Resampling up then down by the same factor returns the original grid exactly.</li>
 * <li>{@link #resize}: the half-pixel convention of OpenCV's {@code resize} and PyTorch's
 * {@code interpolate(align_corners=False)}: the <b>outer edges of the image</b> keep their world position;
 * output voxel {@code j} samples the input at {@code (j + 0.5) * n / m - 0.5}, clamped to the border;
 * nearest picks {@code floor((j + 0.5) * n / m)} (PyTorch's "nearest-exact").</li>
 * <li>{@link #reorientToRas}: nibabel's {@code as_closest_canonical}: only flips and axis permutations,
 * no interpolation, affine updated exactly.</li>
 * </ul>
 */
public final class ImageOps {
    private ImageOps() {}

    /**
     * Resamples to a target voxel spacing (one entry per spatial axis, mm), keeping the world position of
     * the centre of voxel (0,0,0); see the class comment.
     */
    public static Image resampleToSpacing(Image img, double[] targetSpacing, Interpolation interp) {
        int nd = img.ndim();
        if (targetSpacing.length != nd) {
            throw CoverException.usage("target spacing has " + targetSpacing.length + " entries for a "
                    + nd + "D image " + Arrays.toString(img.shape()));
        }
        double[] old = img.spacing();
        int[] shape = img.shape();
        double[] scale = new double[nd];
        double[] shift = new double[nd];
        double[][] coords = new double[nd][];
        for (int a = 0; a < nd; a++) {
            if (!(targetSpacing[a] > 0) || !Double.isFinite(targetSpacing[a]) || !(old[a] > 0)) {
                throw CoverException.usage("spacing must be positive and finite: target "
                        + Arrays.toString(targetSpacing) + ", image " + Arrays.toString(old));
            }
            double r = targetSpacing[a] / old[a];
            long m = (long) Math.rint((shape[a] - 1) / r + 1); // MONAI: np.round(extent + 1)
            if (m > Integer.MAX_VALUE / 2) {
                throw CoverException.usage("spacing " + targetSpacing[a] + " would give " + m + " voxels along axis " + a);
            }
            coords[a] = new double[(int) m];
            for (int j = 0; j < m; j++) coords[a][j] = j * r;
            scale[a] = r;
        }
        return resampleAxes(img, coords, scale, shift, targetSpacing.clone(), interp);
    }

    /** Resizes to a shape (one entry per spatial axis), half-pixel convention; see the class comment. */
    public static Image resize(Image img, int[] targetShape, Interpolation interp) {
        int nd = img.ndim();
        if (targetShape.length != nd) {
            throw CoverException.usage("target shape " + Arrays.toString(targetShape) + " has " + targetShape.length
                    + " axes, the image " + Arrays.toString(img.shape()) + " has " + nd);
        }
        int[] shape = img.shape();
        double[] old = img.spacing();
        double[] scale = new double[nd];
        double[] shift = new double[nd];
        double[] spacing = new double[nd];
        double[][] coords = new double[nd][];
        for (int a = 0; a < nd; a++) {
            int m = targetShape[a];
            if (m <= 0) throw CoverException.usage("target shape must be positive: " + Arrays.toString(targetShape));
            double r = (double) shape[a] / m;
            coords[a] = new double[m];
            for (int j = 0; j < m; j++) coords[a][j] = (j + 0.5) * r - 0.5;
            scale[a] = r;
            shift[a] = 0.5 * r - 0.5;
            spacing[a] = old[a] * r;
        }
        return resampleAxes(img, coords, scale, shift, spacing, interp);
    }

    /** Axis-by-axis resampling; new index j along axis a maps to old index {@code scale[a]*j + shift[a]}. */
    private static Image resampleAxes(Image img, double[][] coords, double[] scale, double[] shift,
                                      double[] spacing, Interpolation interp) {
        int[] dims = AxisResampler.fullDims(img);
        float[] data = img.data();
        for (int a = 0; a < coords.length; a++) {
            if (coords[a].length == dims[a + 1] && scale[a] == 1 && shift[a] == 0) continue; // identity
            data = AxisResampler.resample(data, dims, a + 1, coords[a], interp == Interpolation.LINEAR);
            dims[a + 1] = coords[a].length;
        }
        int[] shape = Arrays.copyOfRange(dims, 1, dims.length);
        return new Image(data, img.channels(), shape, spacing, Affines.scaleShift(img.affine(), scale, shift),
                img.format(), img.datatype());
    }

    /**
     * Flips and permutes the first three axes so that they point along R, A, S (nibabel's
     * {@code as_closest_canonical}). 2D pictures have no patient orientation and are returned unchanged;
     * axes beyond the third (time) keep their place.
     */
    public static Image reorientToRas(Image img) {
        if (img.ndim() < 3) return img;
        int[][] ornt = Affines.ornt(img.affine());
        for (int[] o : ornt) {
            if (o[0] < 0) throw new CoverException("cannot reorient: the affine has a degenerate direction " + java.util.Arrays.deepToString(img.affine()));
        }
        int nd = img.ndim();
        int[] perm = new int[nd];      // new axis k comes from old axis perm[k]
        boolean[] flip = new boolean[nd];
        for (int a = 3; a < nd; a++) perm[a] = a;
        boolean identity = true;
        for (int a = 0; a < 3; a++) {
            perm[ornt[a][0]] = a;
            flip[ornt[a][0]] = ornt[a][1] < 0;
            identity &= ornt[a][0] == a && ornt[a][1] > 0;
        }
        if (identity) return img;
        int[] oldShape = img.shape();
        double[] oldSpacing = img.spacing();
        int[] shape = new int[nd];
        double[] spacing = new double[nd];
        for (int k = 0; k < nd; k++) {
            shape[k] = oldShape[perm[k]];
            spacing[k] = oldSpacing[perm[k]];
        }
        // Walk the new grid in C order, stepping through the old array with permuted, possibly negative strides.
        long[] oldStride = strides(oldShape);
        long[] step = new long[nd];
        long start = 0;
        for (int k = 0; k < nd; k++) {
            step[k] = flip[k] ? -oldStride[perm[k]] : oldStride[perm[k]];
            if (flip[k]) start += (long) (oldShape[perm[k]] - 1) * oldStride[perm[k]];
        }
        float[] src = img.data();
        float[] out = new float[src.length];
        int voxels = (int) img.voxels();
        for (int c = 0; c < img.channels(); c++) {
            gather(src, (long) c * voxels + start, shape, step, out, c * voxels);
        }
        double[][] m = Affines.identity();
        for (int k = 0; k < 3; k++) {
            m[perm[k]][k] = flip[k] ? -1 : 1;
            m[perm[k]][3] = flip[k] ? oldShape[perm[k]] - 1 : 0;
            if (perm[k] != k) m[k][k] = 0;
        }
        return new Image(out, img.channels(), shape, spacing, Affines.multiply(img.affine(), m),
                img.format(), img.datatype());
    }

    /** Centre crop and/or pad to {@code size}; when the difference is odd the extra voxel is cut or added at the end. */
    public static Image cropOrPad(Image img, int[] size, float padValue) {
        int[] shape = img.shape();
        checkAxes(img, size, "size");
        int[] offset = new int[size.length];
        for (int a = 0; a < size.length; a++) {
            int d = shape[a] - size[a];
            offset[a] = d >= 0 ? d / 2 : -((-d) / 2);
        }
        return cropOrPad(img, offset, size, padValue);
    }

    /**
     * The box of {@code size} voxels starting at input index {@code offset} (negative or overhanging parts are
     * filled with {@code padValue}); new voxel {@code n} is old voxel {@code n + offset}.
     */
    public static Image cropOrPad(Image img, int[] offset, int[] size, float padValue) {
        checkAxes(img, size, "size");
        checkAxes(img, offset, "offset");
        int nd = img.ndim();
        long n = img.channels();
        for (int s : size) {
            if (s <= 0) throw CoverException.usage("crop size must be positive: " + Arrays.toString(size));
            n *= s;
        }
        if (n > Integer.MAX_VALUE - 8) throw CoverException.usage("crop size " + Arrays.toString(size) + " is too large");
        int[] shape = img.shape();
        float[] out = new float[(int) n];
        if (padValue != 0f) Arrays.fill(out, padValue);
        // copy row by row along the last axis: the overlapping part of each output row
        int last = nd - 1;
        int lo = Math.max(0, -offset[last]);
        int hi = Math.min(size[last], shape[last] - offset[last]);
        long[] inStride = strides(shape);
        long[] outStride = strides(size);
        int inVox = (int) img.voxels();
        int outVox = (int) (n / img.channels());
        float[] src = img.data();
        int[] idx = new int[nd];
        if (hi > lo) {
            outer:
            while (true) {
                boolean inside = true;
                long si = 0, oi = 0;
                for (int a = 0; a < last; a++) {
                    int s = idx[a] + offset[a];
                    if (s < 0 || s >= shape[a]) { inside = false; break; }
                    si += s * inStride[a];
                    oi += idx[a] * outStride[a];
                }
                if (inside) {
                    for (int c = 0; c < img.channels(); c++) {
                        System.arraycopy(src, (int) (c * (long) inVox + si + lo + offset[last]),
                                out, (int) (c * (long) outVox + oi + lo), hi - lo);
                    }
                }
                for (int a = last - 1; ; a--) {
                    if (a < 0) break outer;
                    if (++idx[a] < size[a]) break;
                    idx[a] = 0;
                }
            }
        }
        double[] scale = new double[nd];
        double[] shift = new double[nd];
        Arrays.fill(scale, 1.0);
        for (int a = 0; a < nd; a++) shift[a] = offset[a];
        return new Image(out, img.channels(), size.clone(), img.spacing(),
                Affines.scaleShift(img.affine(), scale, shift), img.format(), img.datatype());
    }

    /**
     * The (ndim-1)-dimensional slice at {@code index} along {@code axis}. Its affine keeps world positions: the
     * remaining axes' columns come first, the removed axis's column fills the third slot (so that a 2D slice of
     * a volume still knows its plane), and the translation moves to the slice.
     */
    public static Image slice(Image img, int axis, int index) {
        int nd = img.ndim();
        if (nd < 2) throw CoverException.usage("cannot slice a " + nd + "D image");
        if (axis < 0 || axis >= nd) throw CoverException.usage("slice axis " + axis + " is not an axis of a " + nd + "D image");
        int[] shape = img.shape();
        if (index < 0 || index >= shape[axis]) {
            throw CoverException.usage("slice " + index + " is outside axis " + axis + " of size " + shape[axis]);
        }
        long outer = img.channels(), inner = 1;
        for (int a = 0; a < axis; a++) outer *= shape[a];
        for (int a = axis + 1; a < nd; a++) inner *= shape[a];
        float[] src = img.data();
        float[] out = new float[(int) (outer * inner)];
        int in = (int) inner;
        for (long o = 0; o < outer; o++) {
            System.arraycopy(src, (int) ((o * shape[axis] + index) * in), out, (int) (o * in), in);
        }
        int[] newShape = new int[nd - 1];
        double[] newSpacing = new double[nd - 1];
        double[] spacing = img.spacing();
        int[] order = new int[nd];
        for (int a = 0, k = 0; a < nd; a++) {
            if (a == axis) continue;
            newShape[k] = shape[a];
            newSpacing[k] = spacing[a];
            order[k++] = a;
        }
        order[nd - 1] = axis;
        double[][] old = img.affine();
        double[][] aff = Affines.identity();
        int col = 0;
        for (int a : order) {
            if (a >= 3 || col >= 3) continue;
            for (int r = 0; r < 3; r++) aff[r][col] = old[r][a];
            col++;
        }
        for (int r = 0; r < 3; r++) aff[r][3] = old[r][3] + (axis < 3 ? old[r][axis] * index : 0);
        return new Image(out, img.channels(), newShape, newSpacing, aff, img.format(), img.datatype());
    }

    /**
     * The smallest box holding every voxel that is non-zero in any channel: {@code {start, size}} per spatial
     * axis, or {@code null} when the image is all zero.
     */
    public static int[][] nonZeroBox(Image img) {
        int nd = img.ndim();
        int[] shape = img.shape();
        int[] min = new int[nd];
        int[] max = new int[nd];
        Arrays.fill(min, Integer.MAX_VALUE);
        Arrays.fill(max, -1);
        float[] d = img.data();
        int vox = (int) img.voxels();
        int[] idx = new int[nd];
        for (int v = 0; v < vox; v++) {
            boolean nz = false;
            for (int c = 0; c < img.channels() && !nz; c++) nz = d[c * vox + v] != 0f;
            if (nz) {
                for (int a = 0; a < nd; a++) {
                    if (idx[a] < min[a]) min[a] = idx[a];
                    if (idx[a] > max[a]) max[a] = idx[a];
                }
            }
            for (int a = nd - 1; a >= 0; a--) {
                if (++idx[a] < shape[a]) break;
                idx[a] = 0;
            }
        }
        if (max[0] < 0) return null;
        int[] size = new int[nd];
        for (int a = 0; a < nd; a++) size[a] = max[a] - min[a] + 1;
        return new int[][] {min, size};
    }

    /**
     * Crops to the bounding box of the non-zero voxels grown by {@code margin} on each side (clamped to the
     * image). An all-zero image is returned unchanged. To crop a label map to its image's box, use
     * {@link #nonZeroBox} and {@link #cropOrPad(Image, int[], int[], float)}.
     */
    public static Image cropToNonZero(Image img, int margin) {
        int[][] box = nonZeroBox(img);
        if (box == null) return img;
        int[] shape = img.shape();
        int nd = shape.length;
        int[] start = new int[nd];
        int[] size = new int[nd];
        for (int a = 0; a < nd; a++) {
            start[a] = Math.max(0, box[0][a] - margin);
            int end = Math.min(shape[a], box[0][a] + box[1][a] + margin);
            size[a] = end - start[a];
        }
        return cropOrPad(img, start, size, 0f);
    }

    /**
     * Converts the channel count: equal → unchanged; 3 or 4 channels (RGB[A]) → 1 by ITU-R BT.601 luminance
     * {@code 0.299 R + 0.587 G + 0.114 B} (OpenCV's GRAYSCALE reading, as the reference loader uses); 1 → n by
     * repetition. Anything else is refused.
     */
    public static Image toChannels(Image img, int channels) {
        int c = img.channels();
        if (c == channels) return img;
        int vox = (int) img.voxels();
        float[] d = img.data();
        if (channels == 1 && (c == 3 || c == 4)) {
            float[] out = new float[vox];
            for (int v = 0; v < vox; v++) {
                out[v] = (float) (0.299 * d[v] + 0.587 * d[vox + v] + 0.114 * d[2 * vox + v]);
            }
            return img.withData(out, 1);
        }
        if (c == 1 && channels > 1) {
            float[] out = new float[vox * channels];
            for (int k = 0; k < channels; k++) System.arraycopy(d, 0, out, k * vox, vox);
            return img.withData(out, channels);
        }
        throw new CoverException("cannot convert a " + c + "-channel image to " + channels + " channels");
    }

    private static void checkAxes(Image img, int[] v, String what) {
        if (v.length != img.ndim()) {
            throw CoverException.usage(what + " " + Arrays.toString(v) + " has " + v.length + " axes, the image "
                    + Arrays.toString(img.shape()) + " has " + img.ndim());
        }
    }

    static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int a = shape.length - 1; a >= 0; a--) {
            s[a] = acc;
            acc *= shape[a];
        }
        return s;
    }

    /** Copies the strided view (start, shape, step) of {@code src} into {@code out} from {@code at}, in C order. */
    private static void gather(float[] src, long start, int[] shape, long[] step, float[] out, int at) {
        int nd = shape.length;
        int[] idx = new int[nd];
        long pos = start;
        int total = 1;
        for (int s : shape) total *= s;
        for (int v = 0; v < total; v++) {
            out[at + v] = src[(int) pos];
            for (int a = nd - 1; a >= 0; a--) {
                if (++idx[a] < shape[a]) {
                    pos += step[a];
                    break;
                }
                pos -= step[a] * (shape[a] - 1);
                idx[a] = 0;
            }
        }
    }
}
