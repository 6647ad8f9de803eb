package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes single-channel images as NIfTI-1 ({@code .nii}, or gzipped when the name ends in {@code .nii.gz}),
 * little-endian, as float32, int16 or uint8. The image's affine is stored twice, as nibabel does: exactly (to
 * float32) in the sform, and as the standard NIfTI quaternion in the qform (rotation = polar factor of the
 * normalised columns, qfac = −1 for a left-handed affine), both with code 1 (scanner). Writes are atomic.
 */
public final class NiftiWriter {
    private static final String DESCRIP = "cover4j";

    private NiftiWriter() {}

    /** Writes with the narrowest lossless type: the image's own uint8/int16 type when its values fit, else float32. */
    public static void write(Path file, Image image) {
        write(file, image, ValueRange.losslessType(image, SampleType.UINT8, SampleType.INT16));
    }

    /**
     * Writes with an explicit element type ({@link SampleType#FLOAT32}, {@link SampleType#INT16} or
     * {@link SampleType#UINT8}); integer types round to nearest and refuse values outside their range.
     */
    public static void write(Path file, Image image, SampleType type) {
        NiftiDatatype dt = switch (type) {
            case FLOAT32 -> NiftiDatatype.FLOAT32;
            case INT16 -> NiftiDatatype.INT16;
            case UINT8 -> NiftiDatatype.UINT8;
            default -> throw CoverException.file(file, "NIfTI writing supports float32, int16 and uint8, not " + type.label());
        };
        if (image.channels() != 1) {
            throw CoverException.file(file, "NIfTI writing supports single-channel images; this one has " + image.channels());
        }
        if (image.ndim() > 7) throw CoverException.file(file, "NIfTI holds at most 7 dimensions, image has " + image.ndim());
        for (int s : image.shape()) {
            if (s > Short.MAX_VALUE) throw CoverException.file(file, "NIfTI-1 dimensions are at most 32767, image has " + s);
        }
        float[] values = ValueRange.fitTo(image.data(), type, file);
        byte[] header = header(image, dt);
        boolean gz = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        AtomicFiles.write(file, out -> {
            OutputStream o = gz ? new GZIPOutputStream(out, 1 << 16) : out;
            o.write(header);
            o.write(new byte[4]); // extension flag: no extensions
            FortranVoxels.write(o, values, image.shape(), 1, type, ByteOrder.LITTLE_ENDIAN);
            if (gz) ((GZIPOutputStream) o).finish();
        });
    }

    static byte[] header(Image image, NiftiDatatype dt) {
        ByteBuffer b = ByteBuffer.allocate(NiftiHeader.NIFTI1_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int[] shape = image.shape();
        double[] spacing = image.spacing();
        double[][] affine = image.affine();
        Affines.Quatern q = Affines.toQuatern(affine);
        b.putInt(0, NiftiHeader.NIFTI1_SIZE);
        b.put(38, (byte) 'r'); // "regular", as nibabel writes
        b.putShort(40, (short) shape.length);
        for (int i = 0; i < 7; i++) b.putShort(42 + 2 * i, (short) (i < shape.length ? shape[i] : 1));
        b.putShort(70, (short) dt.code);
        b.putShort(72, (short) dt.bitpix());
        b.putFloat(76, (float) q.qfac());
        // Spatial voxel sizes must agree with the qform's, so they come from the affine; later axes from spacing.
        double[] zooms = {q.dx(), q.dy(), q.dz()};
        for (int i = 0; i < 7; i++) {
            double p = i < 3 ? zooms[i] : (i < spacing.length ? spacing[i] : 1.0);
            b.putFloat(80 + 4 * i, (float) p);
        }
        b.putFloat(108, NiftiHeader.NIFTI1_SIZE + 4);
        b.putFloat(112, 1f);
        b.putFloat(116, 0f);
        b.put(123, (byte) (2 | 8)); // xyzt_units: millimetres and seconds
        byte[] d = DESCRIP.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < d.length; i++) b.put(148 + i, d[i]);
        b.putShort(252, (short) 1);
        b.putShort(254, (short) 1);
        b.putFloat(256, (float) q.b());
        b.putFloat(260, (float) q.c());
        b.putFloat(264, (float) q.d());
        b.putFloat(268, (float) q.qx());
        b.putFloat(272, (float) q.qy());
        b.putFloat(276, (float) q.qz());
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) b.putFloat(280 + 16 * r + 4 * c, (float) affine[r][c]);
        }
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1').put(347, (byte) 0);
        return b.array();
    }
}
