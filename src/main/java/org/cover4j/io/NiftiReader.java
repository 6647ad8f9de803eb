package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads NIfTI-1 and NIfTI-2 images ({@code .nii}, {@code .nii.gz}, and {@code .hdr}/{@code .img} pairs), in
 * either byte order, the way nibabel does:
 * <ul>
 *   <li>shape = {@code dim[1..dim[0]]} (trailing 1s kept), voxels returned in C order (the file's Fortran
 *       order transposed), RGB24/RGBA32 as 3/4 channels;</li>
 *   <li>{@code scl_slope}/{@code scl_inter} applied when the slope is finite and non-zero;</li>
 *   <li>affine: sform if {@code sform_code > 0}, else qform if {@code qform_code > 0} (quaternion, qfac from
 *       {@code pixdim[0]}), else nibabel's fallback {@code get_base_affine()} — diagonal voxel sizes with x
 *       flipped and the origin at the volume centre (nibabel's Analyze convention, not the bare diag(pixdim)).</li>
 * </ul>
 * Spacing is {@code |pixdim[1..dim[0]]|}, with 1 substituted for a zero or non-finite entry; the qform and base
 * affine use the same sizes for the spatial axes, as nibabel's header check makes them (see {@link #zooms}), and
 * {@link MedicalImages#readReporting} says which spatial sizes were 0.
 */
public final class NiftiReader {
    private NiftiReader() {}

    /** Reads a NIfTI file; every problem with the file is reported as a {@link CoverException} naming it. */
    public static Image read(Path file) {
        return readReporting(file).image();
    }

    /** As {@link #read}, with a line for each voxel size that the file leaves at 0 (see {@link #zooms}). */
    static MedicalImages.Reading readReporting(Path file) {
        ImageFiles.requireRegularFile(file);
        long fileBytes = ImageFiles.size(file);
        if (fileBytes == 0) throw CoverException.file(file, "empty file");
        boolean gz = ImageFiles.isGzip(ImageFiles.head(file, 2));
        try (InputStream in = ImageFiles.open(file)) {
            NiftiHeader h = readHeader(in, file);
            NiftiDatatype type = checkDatatype(h, file);
            long count = ImageFiles.countValues(h.dims, type.channels, file);
            long needed = count * type.sample.bytes();
            int[] shape = new int[h.dims.length];
            for (int i = 0; i < shape.length; i++) shape[i] = (int) h.dims[i];
            float[] data;
            if (h.pair) {
                data = readPairData(file, h, type, shape, needed);
            } else {
                long offset = h.dataOffset();
                ImageFiles.checkAvailable(file, fileBytes, gz, offset, needed, "voxel data");
                ImageFiles.skipFully(in, offset - h.headerSize(), file, "the voxel data (vox_offset " + offset + ")");
                data = FortranVoxels.read(in, type.sample, h.order, shape, type.channels, file);
            }
            ImageFiles.readToEnd(in, file); // the .nii.gz (or a .hdr.gz header) checked to its gzip trailer
            if (type.channels == 1) applyScaling(h, data, file);
            double[] zooms = zooms(h);
            double[][] affine = affine(h, zooms, file);
            double[] spacing = new double[shape.length];
            List<Integer> unsized = new ArrayList<>();
            for (int i = 0; i < spacing.length; i++) {
                double p = Math.abs(h.pixdim[i + 1]);
                spacing[i] = p > 0 && Double.isFinite(p) ? p : 1.0;
                if (i < 3 && p == 0) unsized.add(i);
            }
            List<String> warnings = new ArrayList<>();
            if (!unsized.isEmpty()) {
                warnings.add(file + ": voxel size (pixdim) is 0 along ax" + (unsized.size() == 1 ? "is " : "es ")
                        + unsized.stream().map(String::valueOf).collect(Collectors.joining(", "))
                        + "; 1 mm assumed there, as nibabel does");
            }
            Image image = new Image(data, type.channels, shape, spacing, affine, "nifti" + h.version, type.label);
            return new MedicalImages.Reading(image, warnings);
        } catch (IOException e) {
            throw ImageFiles.cannotRead(file, e);
        }
    }

    /** Reads and validates only the header (for {@code cover4j info} and format detection). */
    static NiftiHeader readHeader(InputStream in, Path file) {
        byte[] first = new byte[NiftiHeader.NIFTI2_SIZE];
        try {
            int got = in.readNBytes(first, 0, 4);
            if (got < 4 || NiftiHeader.detect(first) == null) {
                throw CoverException.file(file, "not a NIfTI file (sizeof_hdr is neither 348 nor 540 in either byte order)");
            }
        } catch (IOException e) {
            throw ImageFiles.cannotRead(file, e);
        }
        int size = NiftiHeader.detect(first)[0] == 1 ? NiftiHeader.NIFTI1_SIZE : NiftiHeader.NIFTI2_SIZE;
        ImageFiles.readFully(in, first, 4, size - 4, file, "the NIfTI header");
        byte[] h = new byte[size];
        System.arraycopy(first, 0, h, 0, size);
        return new NiftiHeader(h, file);
    }

    private static NiftiDatatype checkDatatype(NiftiHeader h, Path file) {
        NiftiDatatype type = NiftiDatatype.ofCode(h.datatype);
        if (type == null) {
            throw CoverException.file(file, "unsupported NIfTI datatype " + NiftiDatatype.unsupportedName(h.datatype));
        }
        if (h.bitpix != type.bitpix()) {
            throw CoverException.file(file, "inconsistent NIfTI header: datatype " + type.label + " has "
                    + type.bitpix() + " bits per voxel but bitpix says " + h.bitpix);
        }
        return type;
    }

    private static float[] readPairData(Path hdr, NiftiHeader h, NiftiDatatype type, int[] shape, long needed) {
        Path img = pairedImage(hdr);
        if (!java.nio.file.Files.isRegularFile(img)) {
            throw CoverException.file(hdr, "NIfTI pair header without its voxel file " + img.getFileName());
        }
        long imgBytes = ImageFiles.size(img);
        boolean gz = ImageFiles.isGzip(ImageFiles.head(img, 2));
        long offset = h.dataOffset();
        ImageFiles.checkAvailable(img, imgBytes, gz, offset, needed, "voxel data");
        try (InputStream in = ImageFiles.open(img)) {
            ImageFiles.skipFully(in, offset, img, "the voxel data (vox_offset " + offset + ")");
            float[] data = FortranVoxels.read(in, type.sample, h.order, shape, type.channels, img);
            ImageFiles.readToEnd(in, img);
            return data;
        } catch (IOException e) {
            throw ImageFiles.cannotRead(img, e);
        }
    }

    /** The .img file of a .hdr/.img pair (same name, same compression). */
    static Path pairedImage(Path hdr) {
        String name = hdr.getFileName().toString();
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        String img;
        if (lower.endsWith(".hdr.gz")) img = name.substring(0, name.length() - 7) + (name.endsWith(".HDR.gz") ? ".IMG.gz" : ".img.gz");
        else if (lower.endsWith(".hdr")) img = name.substring(0, name.length() - 4) + (name.endsWith(".HDR") ? ".IMG" : ".img");
        else throw CoverException.file(hdr, "a NIfTI pair header (ni1/ni2 magic) must be named .hdr, with its voxels in .img");
        return hdr.resolveSibling(img);
    }

    /** nibabel's rule: scale only when the slope is finite and non-zero; a valid slope with a bad intercept is an error. */
    private static void applyScaling(NiftiHeader h, float[] data, Path file) {
        double slope = h.sclSlope;
        double inter = h.sclInter;
        if (slope == 0 || !Double.isFinite(slope)) return;
        if (!Double.isFinite(inter)) {
            throw CoverException.file(file, "scl_slope is " + slope + " but scl_inter is " + inter + " (not finite)");
        }
        if (slope == 1 && inter == 0) return;
        for (int i = 0; i < data.length; i++) data[i] = (float) (data[i] * slope + inter);
    }

    /**
     * The voxel sizes of the three spatial axes as nibabel uses them: its header check replaces
     * {@code pixdim[1..3]} by their absolute values and a 0 by 1 ("pixdim[1,2,3] should be non-zero; setting 0
     * dims to 1") before the qform or base affine is built, so a missing size gives a unit column, not a zero one.
     */
    private static double[] zooms(NiftiHeader h) {
        double[] z = new double[3];
        for (int i = 0; i < 3; i++) {
            double p = Math.abs(h.pixdim[i + 1]);
            z[i] = p == 0 ? 1.0 : p;
        }
        return z;
    }

    private static double[][] affine(NiftiHeader h, double[] zooms, Path file) {
        double[][] a;
        String source;
        if (h.sformCode > 0) {
            a = Affines.identity();
            for (int r = 0; r < 3; r++) a[r] = h.srow[r].clone();
            a = new double[][]{a[0], a[1], a[2], {0, 0, 0, 1}};
            source = "sform";
        } else if (h.qformCode > 0) {
            a = Affines.fromQuatern(new Affines.Quatern(h.quaternB, h.quaternC, h.quaternD,
                    h.qoffsetX, h.qoffsetY, h.qoffsetZ,
                    zooms[0], zooms[1], zooms[2], h.pixdim[0] < 0 ? -1 : 1));
            source = "qform";
        } else {
            a = baseAffine(h, zooms);
            source = "pixdim";
        }
        for (double[] row : a) {
            for (double v : row) {
                if (!Double.isFinite(v)) throw CoverException.file(file, "non-finite value in the " + source + " affine");
            }
        }
        return a;
    }

    /** nibabel's {@code shape_zoom_affine(shape, zooms, x_flip=True)}: used when neither sform nor qform is set. */
    private static double[][] baseAffine(NiftiHeader h, double[] zooms) {
        double[][] a = Affines.identity();
        for (int i = 0; i < 3; i++) {
            long n = i < h.dims.length ? h.dims[i] : 1;
            double zoom = i < h.dims.length ? zooms[i] : 1.0;
            if (i == 0) zoom = -zoom;
            a[i][i] = zoom;
            a[i][3] = -(n - 1) / 2.0 * zoom;
        }
        return a;
    }
}
