package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A parsed and validated MetaImage ({@code .mha}/{@code .mhd}) header: {@code Key = Value} lines up to and
 * including {@code ElementDataFile}, which must come last (the voxels of a {@code LOCAL} file start right after
 * its line). Keys are matched case-insensitively; the synonyms MetaIO accepts are accepted
 * ({@code TransformMatrix}/{@code Rotation}/{@code Orientation}, {@code Offset}/{@code Position}/{@code Origin},
 * {@code ElementSpacing}/{@code ElementSize}, {@code ElementByteOrderMSB}/{@code BinaryDataByteOrderMSB}).
 */
final class MetaImageHeader {
    /** A header longer than this is not a MetaImage header (and must not be read into memory whole). */
    static final int MAX_HEADER_BYTES = 1 << 20;
    /** Keys that may open a MetaImage header; used to recognise the format by content. */
    static final Set<String> OPENING_KEYS = Set.of("objecttype", "ndims", "comment", "objectsubtype", "transformtype",
            "name", "id", "parentid", "formtypename");

    final int ndims;
    final long[] dimSize;
    final SampleType type;
    final int channels;
    final double[] spacing;
    final double[] offset;
    /** Direction cosines, {@code direction[i][j]} = component i of voxel axis j (LPS). */
    final double[][] direction;
    final boolean msb;
    final boolean compressed;
    final long compressedSize;
    final long headerSize;
    final String dataFile;
    /** Byte offset just after the ElementDataFile line: where LOCAL data begins. */
    final int dataStart;

    MetaImageHeader(byte[] head, Path file) {
        Map<String, String> kv = new LinkedHashMap<>();
        int pos = 0;
        int dataStartAt = -1;
        while (pos < head.length) {
            int eol = pos;
            while (eol < head.length && head[eol] != '\n') eol++;
            if (eol == head.length && head.length >= MAX_HEADER_BYTES) break;
            String line = new String(head, pos, eol - pos, StandardCharsets.ISO_8859_1).strip();
            pos = Math.min(head.length, eol + 1);
            if (line.isEmpty()) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw CoverException.file(file, "not a MetaImage header: line '" + shorten(line) + "' is not 'Key = Value'");
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            kv.put(key, line.substring(eq + 1).strip());
            if (key.equals("elementdatafile")) {
                dataStartAt = pos;
                break;
            }
        }
        if (dataStartAt < 0) {
            throw CoverException.file(file, "MetaImage header has no ElementDataFile line"
                    + (head.length >= MAX_HEADER_BYTES ? " in its first " + MAX_HEADER_BYTES + " bytes" : ""));
        }
        dataStart = dataStartAt;
        String objectType = kv.get("objecttype");
        if (objectType != null && !objectType.equalsIgnoreCase("Image")) {
            throw CoverException.file(file, "MetaImage ObjectType is '" + shorten(objectType) + "', only Image is supported");
        }
        String binary = kv.get("binarydata");
        if (binary != null && !bool(binary, "BinaryData", file)) {
            throw CoverException.file(file, "MetaImage with BinaryData = False (ASCII voxels) is not supported");
        }
        ndims = (int) integer(require(kv, "ndims", "NDims", file), "NDims", file);
        if (ndims < 1 || ndims > 7) throw CoverException.file(file, "MetaImage NDims = " + ndims + " (must be 1..7)");
        double[] ds = numbers(require(kv, "dimsize", "DimSize", file), ndims, "DimSize", file);
        dimSize = new long[ndims];
        for (int i = 0; i < ndims; i++) {
            if (ds[i] != Math.rint(ds[i]) || ds[i] < 1 || ds[i] > Integer.MAX_VALUE) {
                throw CoverException.file(file, "invalid MetaImage DimSize '" + kv.get("dimsize") + "' (needs " + ndims + " positive integers)");
            }
            dimSize[i] = (long) ds[i];
        }
        type = elementType(require(kv, "elementtype", "ElementType", file), file);
        String ch = kv.get("elementnumberofchannels");
        channels = ch == null ? 1 : (int) integer(ch, "ElementNumberOfChannels", file);
        if (channels < 1 || channels > 4096) throw CoverException.file(file, "invalid ElementNumberOfChannels " + ch);
        String sp = first(kv, "elementspacing", "elementsize");
        spacing = sp == null ? filled(ndims, 1.0) : numbers(sp, ndims, "ElementSpacing", file);
        for (double s : spacing) {
            if (!(s > 0) || !Double.isFinite(s)) throw CoverException.file(file, "invalid MetaImage ElementSpacing '" + sp + "'");
        }
        String off = first(kv, "offset", "position", "origin");
        offset = off == null ? filled(ndims, 0.0) : numbers(off, ndims, "Offset", file);
        String tm = first(kv, "transformmatrix", "rotation", "orientation");
        direction = new double[ndims][ndims];
        double[] m = tm == null ? null : numbers(tm, ndims * ndims, "TransformMatrix", file);
        for (int j = 0; j < ndims; j++) {
            for (int i = 0; i < ndims; i++) {
                // MetaIO (and ITK's MetaImageIO) store axis j's direction as the j-th group of NDims numbers.
                direction[i][j] = m == null ? (i == j ? 1 : 0) : m[j * ndims + i];
            }
        }
        String order = first(kv, "elementbyteordermsb", "binarydatabyteordermsb");
        msb = order != null && bool(order, "BinaryDataByteOrderMSB", file);
        String comp = kv.get("compresseddata");
        compressed = comp != null && bool(comp, "CompressedData", file);
        String cs = kv.get("compresseddatasize");
        compressedSize = cs == null ? -1 : integer(cs, "CompressedDataSize", file);
        String hs = kv.get("headersize");
        headerSize = hs == null ? 0 : integer(hs, "HeaderSize", file);
        if (headerSize < -1) throw CoverException.file(file, "invalid MetaImage HeaderSize " + headerSize);
        dataFile = kv.get("elementdatafile");
        if (dataFile.isEmpty()) throw CoverException.file(file, "MetaImage ElementDataFile is empty");
    }

    /** True when the first line of {@code head} is a {@code Key = Value} line with a key that opens MetaImage headers. */
    static boolean looksLikeMetaImage(byte[] head) {
        int end = 0;
        while (end < head.length && end < 256 && head[end] != '\n') end++;
        String line = new String(head, 0, end, StandardCharsets.ISO_8859_1).strip();
        int eq = line.indexOf('=');
        return eq > 0 && OPENING_KEYS.contains(line.substring(0, eq).strip().toLowerCase(Locale.ROOT));
    }

    static SampleType elementType(String s, Path file) {
        String t = s.toUpperCase(Locale.ROOT);
        if (t.endsWith("_ARRAY")) t = t.substring(0, t.length() - 6);
        return switch (t) {
            case "MET_UCHAR" -> SampleType.UINT8;
            case "MET_CHAR" -> SampleType.INT8;
            case "MET_SHORT" -> SampleType.INT16;
            case "MET_USHORT" -> SampleType.UINT16;
            // MetaIO's MET_LONG/MET_ULONG are 4 bytes; 8-byte integers are MET_LONG_LONG/MET_ULONG_LONG.
            case "MET_INT", "MET_LONG" -> SampleType.INT32;
            case "MET_UINT", "MET_ULONG" -> SampleType.UINT32;
            case "MET_LONG_LONG" -> SampleType.INT64;
            case "MET_ULONG_LONG" -> SampleType.UINT64;
            case "MET_FLOAT" -> SampleType.FLOAT32;
            case "MET_DOUBLE" -> SampleType.FLOAT64;
            default -> throw CoverException.file(file, "unsupported MetaImage ElementType '" + shorten(s) + "'");
        };
    }

    static String metType(SampleType t) {
        return switch (t) {
            case UINT8 -> "MET_UCHAR";
            case INT8 -> "MET_CHAR";
            case INT16 -> "MET_SHORT";
            case UINT16 -> "MET_USHORT";
            case INT32 -> "MET_INT";
            case UINT32 -> "MET_UINT";
            case INT64 -> "MET_LONG_LONG";
            case UINT64 -> "MET_ULONG_LONG";
            case FLOAT32 -> "MET_FLOAT";
            case FLOAT64 -> "MET_DOUBLE";
            default -> throw new IllegalArgumentException("no MetaImage type for " + t);
        };
    }

    private static String require(Map<String, String> kv, String key, String name, Path file) {
        String v = kv.get(key);
        if (v == null) throw CoverException.file(file, "MetaImage header has no " + name);
        return v;
    }

    private static String first(Map<String, String> kv, String... keys) {
        for (String k : keys) {
            if (kv.containsKey(k)) return kv.get(k);
        }
        return null;
    }

    private static boolean bool(String v, String name, Path file) {
        if (v.equalsIgnoreCase("true") || v.equals("1")) return true;
        if (v.equalsIgnoreCase("false") || v.equals("0")) return false;
        throw CoverException.file(file, "MetaImage " + name + " must be True or False, found '" + shorten(v) + "'");
    }

    private static long integer(String v, String name, Path file) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw CoverException.file(file, "MetaImage " + name + " must be an integer, found '" + shorten(v) + "'");
        }
    }

    private static double[] numbers(String v, int n, String name, Path file) {
        String[] parts = v.strip().split("\\s+");
        if (parts.length != n) {
            throw CoverException.file(file, "MetaImage " + name + " has " + parts.length + " values, expected " + n
                    + " ('" + shorten(v) + "')");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            try {
                out[i] = Double.parseDouble(parts[i]);
            } catch (NumberFormatException e) {
                throw CoverException.file(file, "MetaImage " + name + " has a non-number '" + shorten(parts[i]) + "'");
            }
            if (!Double.isFinite(out[i])) throw CoverException.file(file, "MetaImage " + name + " has a non-finite value");
        }
        return out;
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static String shorten(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 60; i++) {
            char c = s.charAt(i);
            b.append(c >= 32 && c < 127 ? c : '?');
        }
        return s.length() > 60 ? b + "..." : b.toString();
    }
}
