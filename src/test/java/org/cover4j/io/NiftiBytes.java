package org.cover4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Builds NIfTI-1/-2 files byte by byte from explicit field values, independently of {@link NiftiWriter}, so tests
 * can produce every datatype, byte order, version and every kind of broken header. Offsets follow the NIfTI-1
 * ({@code nifti1.h}) and NIfTI-2 ({@code nifti2.h}) header layouts.
 */
final class NiftiBytes {
    int version = 1;
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    String magic;
    long[] dim = {3, 4, 3, 2, 1, 1, 1, 1};
    int datatype = 16;
    int bitpix = 32;
    double[] pixdim = {1, 1, 1, 1, 1, 1, 1, 1};
    double voxOffset = -1;
    double slope = 1;
    double inter = 0;
    int qformCode;
    int sformCode;
    double[] quatern = new double[6];
    double[][] srow = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
    /** Raw voxel bytes written at vox_offset. */
    byte[] data = new byte[0];

    int headerSize() {
        return version == 1 ? 348 : 540;
    }

    byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(headerSize()).order(order);
        double off = voxOffset >= 0 ? voxOffset : headerSize() + 4;
        if (version == 1) {
            b.putInt(0, 348);
            for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, (short) dim[i]);
            b.putShort(70, (short) datatype);
            b.putShort(72, (short) bitpix);
            for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, (float) pixdim[i]);
            b.putFloat(108, (float) off);
            b.putFloat(112, (float) slope);
            b.putFloat(116, (float) inter);
            b.putShort(252, (short) qformCode);
            b.putShort(254, (short) sformCode);
            for (int i = 0; i < 6; i++) b.putFloat(256 + 4 * i, (float) quatern[i]);
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) b.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
            }
            put(b, 344, magic != null ? magic : "n+1\0");
        } else {
            b.putInt(0, 540);
            put(b, 4, magic != null ? magic : "n+2\0\r\n\032\n");
            b.putShort(12, (short) datatype);
            b.putShort(14, (short) bitpix);
            for (int i = 0; i < 8; i++) b.putLong(16 + 8 * i, dim[i]);
            for (int i = 0; i < 8; i++) b.putDouble(104 + 8 * i, pixdim[i]);
            b.putLong(168, (long) off);
            b.putDouble(176, slope);
            b.putDouble(184, inter);
            b.putInt(344, qformCode);
            b.putInt(348, sformCode);
            for (int i = 0; i < 6; i++) b.putDouble(352 + 8 * i, quatern[i]);
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) b.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
            }
        }
        return b.array();
    }

    /** Header, 4-byte extension flag, zero padding up to vox_offset, voxel bytes. */
    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header();
        out.writeBytes(h);
        long off = (long) (voxOffset >= 0 ? voxOffset : headerSize() + 4);
        for (long i = h.length; i < off; i++) out.write(0);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** Fills {@link #data} with {@code values} (Fortran order) encoded as {@code type} in {@link #order}. */
    NiftiBytes values(SampleType type, double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * type.bytes()).order(order);
        for (double v : values) {
            switch (type) {
                case UINT8, INT8 -> b.put((byte) (long) v);
                case INT16, UINT16 -> b.putShort((short) (long) v);
                case INT32, UINT32 -> b.putInt((int) (long) v);
                case INT64 -> b.putLong((long) v);
                case UINT64 -> b.putLong(v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v);
                case FLOAT32 -> b.putFloat((float) v);
                case FLOAT64 -> b.putDouble(v);
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        data = b.array();
        return this;
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bo.toByteArray();
    }

    private static void put(ByteBuffer b, int at, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i++) b.put(at + i, bytes[i]);
    }
}
