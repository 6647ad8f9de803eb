package org.cover4j.data;

import org.cover4j.io.MedicalImages;
import org.cover4j.util.CoverException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Writes small image files for loading tests without using the project's own writers. */
final class TestFiles {
    private TestFiles() {}

    /** An 8-bit grey PNG (rgb=false) or an RGB PNG with the same value in every channel; values[row][col]. */
    static Path png(Path file, int[][] values, boolean rgb) throws IOException {
        int h = values.length, w = values[0].length;
        BufferedImage img = new BufferedImage(w, h, rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int v = values[r][c];
                if (rgb) img.setRGB(c, r, (v << 16) | (v << 8) | v);
                else img.getRaster().setSample(c, r, 0, v);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /**
     * A NIfTI-1 float32 volume with an sform affine; {@code data} is C-order over (i, j, k) as in
     * {@link Image}, written in the file's Fortran order (i fastest).
     */
    static Path nifti(Path file, float[] data, int[] shape, double[][] affine) throws IOException {
        int n = shape[0] * shape[1] * shape[2];
        ByteBuffer b = ByteBuffer.allocate(352 + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        b.putShort(40, (short) 3);
        for (int a = 0; a < 3; a++) b.putShort(42 + 2 * a, (short) shape[a]);
        for (int a = 3; a < 7; a++) b.putShort(42 + 2 * a, (short) 1);
        b.putShort(70, (short) 16);
        b.putShort(72, (short) 32);
        b.putFloat(76, 1f);
        for (int a = 0; a < 3; a++) {
            double s = Math.sqrt(affine[0][a] * affine[0][a] + affine[1][a] * affine[1][a] + affine[2][a] * affine[2][a]);
            b.putFloat(80 + 4 * a, (float) s);
        }
        b.putFloat(108, 352f);
        b.putFloat(112, 1f);
        b.put(123, (byte) 10); // xyzt_units: mm, s
        b.putShort(254, (short) 1);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) b.putFloat(280 + 16 * r + 4 * c, (float) affine[r][c]);
        b.put(344, "n+1".getBytes(StandardCharsets.US_ASCII)[0]);
        b.put(345, (byte) '+');
        b.put(346, (byte) '1');
        int at = 352;
        for (int k = 0; k < shape[2]; k++) for (int j = 0; j < shape[1]; j++) for (int i = 0; i < shape[0]; i++) {
            b.putFloat(at, data[(i * shape[1] + j) * shape[2] + k]);
            at += 4;
        }
        Files.createDirectories(file.getParent());
        Files.write(file, b.array());
        return file;
    }

    /** Skips the calling test while the image reader is still a placeholder. */
    static void assumeReaderAvailable(Path anyImage) {
        try {
            MedicalImages.read(anyImage);
        } catch (CoverException e) {
            assumeFalse(e.getMessage().contains("not implemented"), "image reader not implemented yet");
            throw e;
        }
    }
}
