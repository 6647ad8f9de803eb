package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header that matter for reading voxels and geometry,
 * parsed and validated. The version and byte order come from {@code sizeof_hdr} (348 or 540, read in either byte
 * order), as the NIfTI standard prescribes.
 */
final class NiftiHeader {
    static final int NIFTI1_SIZE = 348;
    static final int NIFTI2_SIZE = 540;

    final int version;
    final ByteOrder order;
    /** True for a .hdr/.img pair ("ni1"/"ni2" magic): the voxels live in the .img file. */
    final boolean pair;
    final long[] dims;
    final int datatype;
    final int bitpix;
    final double[] pixdim = new double[8];
    final double voxOffset;
    final double sclSlope;
    final double sclInter;
    final int qformCode;
    final int sformCode;
    final double quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ;
    final double[][] srow = new double[3][4];
    final String descrip;

    /** Version and byte order from the first four bytes, or null when they are not a NIfTI sizeof_hdr. */
    static int[] detect(byte[] first4) {
        if (first4.length < 4) return null;
        int le = ByteBuffer.wrap(first4, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int be = ByteBuffer.wrap(first4, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        if (le == NIFTI1_SIZE) return new int[]{1, 0};
        if (le == NIFTI2_SIZE) return new int[]{2, 0};
        if (be == NIFTI1_SIZE) return new int[]{1, 1};
        if (be == NIFTI2_SIZE) return new int[]{2, 1};
        return null;
    }

    /** Parses a complete header ({@link #NIFTI1_SIZE} or {@link #NIFTI2_SIZE} bytes). */
    NiftiHeader(byte[] h, Path file) {
        int[] vo = detect(h);
        if (vo == null) throw CoverException.file(file, "not a NIfTI file (sizeof_hdr is neither 348 nor 540)");
        version = vo[0];
        order = vo[1] == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer b = ByteBuffer.wrap(h).order(order);
        long[] dim = new long[8];
        if (version == 1) {
            pair = checkMagic(h, 344, 4, "ni1", "n+1", file);
            for (int i = 0; i < 8; i++) dim[i] = b.getShort(40 + 2 * i);
            datatype = b.getShort(70);
            bitpix = b.getShort(72);
            for (int i = 0; i < 8; i++) pixdim[i] = b.getFloat(76 + 4 * i);
            voxOffset = b.getFloat(108);
            sclSlope = b.getFloat(112);
            sclInter = b.getFloat(116);
            descrip = text(h, 148, 80);
            qformCode = b.getShort(252);
            sformCode = b.getShort(254);
            quaternB = b.getFloat(256);
            quaternC = b.getFloat(260);
            quaternD = b.getFloat(264);
            qoffsetX = b.getFloat(268);
            qoffsetY = b.getFloat(272);
            qoffsetZ = b.getFloat(276);
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) srow[r][c] = b.getFloat(280 + 16 * r + 4 * c);
            }
        } else {
            pair = checkMagic(h, 4, 8, "ni2", "n+2", file);
            datatype = b.getShort(12);
            bitpix = b.getShort(14);
            for (int i = 0; i < 8; i++) dim[i] = b.getLong(16 + 8 * i);
            for (int i = 0; i < 8; i++) pixdim[i] = b.getDouble(104 + 8 * i);
            voxOffset = b.getLong(168);
            sclSlope = b.getDouble(176);
            sclInter = b.getDouble(184);
            descrip = text(h, 240, 80);
            qformCode = b.getInt(344);
            sformCode = b.getInt(348);
            quaternB = b.getDouble(352);
            quaternC = b.getDouble(360);
            quaternD = b.getDouble(368);
            qoffsetX = b.getDouble(376);
            qoffsetY = b.getDouble(384);
            qoffsetZ = b.getDouble(392);
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) srow[r][c] = b.getDouble(400 + 32 * r + 8 * c);
            }
        }
        if (dim[0] < 1 || dim[0] > 7) {
            throw CoverException.file(file, "invalid NIfTI dim[0] = " + dim[0] + " (number of dimensions must be 1..7)");
        }
        dims = new long[(int) dim[0]];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = dim[i + 1];
            if (dims[i] <= 0) {
                throw CoverException.file(file, "invalid NIfTI dimension dim[" + (i + 1) + "] = " + dims[i] + " (must be >= 1)");
            }
        }
        if (!Double.isFinite(voxOffset) || voxOffset < 0) {
            throw CoverException.file(file, "invalid NIfTI vox_offset " + voxOffset);
        }
    }

    int headerSize() {
        return version == 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
    }

    /** Offset of the voxels: vox_offset, raised (as nibabel does) to just after the header and extension flag. */
    long dataOffset() {
        long off = (long) voxOffset;
        return pair ? off : Math.max(off, headerSize() + 4L);
    }

    /** Returns true for the pair magic ("ni1"/"ni2"), false for single-file magic ("n+1"/"n+2"). */
    private static boolean checkMagic(byte[] h, int at, int len, String pairMagic, String singleMagic, Path file) {
        String m = text(h, at, 3);
        if (m.equals(singleMagic)) return false;
        if (m.equals(pairMagic)) return true;
        if (m.isEmpty()) {
            throw CoverException.file(file, "no NIfTI magic (an Analyze 7.5 header?): only NIfTI-1/2 are supported");
        }
        throw CoverException.file(file, "bad NIfTI magic '" + printable(h, at, len) + "' (expected " + singleMagic + " or " + pairMagic + ")");
    }

    private static String text(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) end++;
        return new String(h, at, end - at, StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] h, int at, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = at; i < at + len; i++) {
            int c = h[i] & 0xff;
            if (c >= 32 && c < 127) s.append((char) c);
            else s.append(String.format("\\x%02x", c));
        }
        return s.toString();
    }
}
