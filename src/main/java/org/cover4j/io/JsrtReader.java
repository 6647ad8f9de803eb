package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the JSRT chest radiograph database's raw {@code .IMG} files: 2048 × 2048 pixels, 12-bit values stored as
 * 16-bit big-endian words, no header, 0.175 mm pixels. Values are returned as stored (0..4095), shape
 * (rows, columns). Recognised by the {@code .IMG} extension and the exact size of 8 388 608 bytes.
 */
public final class JsrtReader {
    public static final int SIZE = 2048;
    public static final long FILE_BYTES = 2L * SIZE * SIZE;
    public static final double SPACING_MM = 0.175;

    private JsrtReader() {}

    /** True for a file named {@code *.IMG} (any case) of exactly {@link #FILE_BYTES} bytes. */
    public static boolean looksLikeJsrt(Path file, long size) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".img") && size == FILE_BYTES;
    }

    public static Image read(Path file) {
        ImageFiles.requireRegularFile(file);
        long size = ImageFiles.size(file);
        if (size != FILE_BYTES) {
            throw CoverException.file(file, "not a JSRT image: expected exactly " + FILE_BYTES + " bytes (2048x2048 16-bit), found " + size);
        }
        float[] data = new float[SIZE * SIZE];
        try (InputStream in = ImageFiles.open(file)) {
            byte[] row = new byte[2 * SIZE];
            ByteBuffer bb = ByteBuffer.wrap(row).order(ByteOrder.BIG_ENDIAN);
            for (int y = 0; y < SIZE; y++) {
                ImageFiles.readFully(in, row, 0, row.length, file, "row " + y);
                bb.clear();
                SampleType.UINT16.decode(bb, data, y * SIZE, SIZE);
            }
        } catch (IOException e) {
            throw ImageFiles.cannotRead(file, e);
        }
        double[] spacing = {SPACING_MM, SPACING_MM};
        return new Image(data, 1, new int[]{SIZE, SIZE}, spacing, null, "jsrt", "uint16");
    }
}
