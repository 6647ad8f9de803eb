package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One parsed DICOM data set (the file's top level or a sequence item). Values are not copied: each
 * element records where its bytes lie in the buffer it was parsed from, so skipping large private
 * blobs and the pixel data costs nothing. Typed getters interpret values on demand and report bad
 * values as {@link CoverException}s naming the file.
 */
final class DicomDataset {
    /** A sequence item or an encapsulated pixel-data fragment: where its bytes lie. */
    record Fragment(int offset, int length) {}

    /**
     * One element. {@code vr} is null for implicit-VR tags the reader does not know; {@code items} is
     * non-null for sequences; {@code fragments} is non-null for encapsulated (undefined-length) pixel data.
     */
    record Element(int tag, String vr, int offset, int length, List<DicomDataset> items, List<Fragment> fragments) {}

    final Path file;
    final byte[] buf;
    final boolean bigEndian;
    private final Map<Integer, Element> elements = new LinkedHashMap<>();

    DicomDataset(Path file, byte[] buf, boolean bigEndian) {
        this.file = file;
        this.buf = buf;
        this.bigEndian = bigEndian;
    }

    /** Adds an element; a repeated tag keeps its first occurrence (as most readers do). */
    void add(Element e) {
        elements.putIfAbsent(e.tag(), e);
    }

    Element element(int tag) {
        return elements.get(tag);
    }

    boolean has(int tag) {
        return elements.containsKey(tag);
    }

    int size() {
        return elements.size();
    }

    /** Items of a sequence; empty when the tag is absent or not a sequence. */
    List<DicomDataset> items(int tag) {
        Element e = elements.get(tag);
        return e == null || e.items() == null ? List.of() : e.items();
    }

    /** The value as text with DICOM padding (spaces, NULs) trimmed; null when absent or empty. */
    String string(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.items() != null || e.fragments() != null) return null;
        String s = new String(buf, e.offset(), e.length(), StandardCharsets.ISO_8859_1);
        s = s.replace('\0', ' ').strip();
        return s.isEmpty() ? null : s;
    }

    /** Multi-valued text split at backslashes; empty when absent. */
    String[] strings(int tag) {
        String s = string(tag);
        return s == null ? new String[0] : s.split("\\\\", -1);
    }

    /** A DS (decimal string) value list; empty when absent. Unparseable numbers are an error. */
    double[] decimals(int tag) {
        String[] parts = strings(tag);
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException ex) {
                throw bad(tag, "is not a number list: '" + abbreviate(string(tag)) + "'");
            }
            if (!Double.isFinite(v[i])) throw bad(tag, "holds a non-finite number: '" + abbreviate(string(tag)) + "'");
        }
        return v;
    }

    /** The first DS value, or {@code fallback} when absent. */
    double decimal(int tag, double fallback) {
        double[] v = decimals(tag);
        return v.length == 0 ? fallback : v[0];
    }

    /**
     * An integer value: binary for US/SS/UL/SL (two or four bytes in the data set's byte order), text
     * for IS and anything else. Null when absent or empty.
     */
    Integer integer(int tag) {
        Element e = elements.get(tag);
        if (e == null || e.length() == 0 || e.items() != null || e.fragments() != null) return null;
        String vr = e.vr() == null ? "" : e.vr();
        switch (vr) {
            case "US": return need(e, 2) ? u16(e.offset()) : null;
            case "SS": return need(e, 2) ? (int) (short) u16(e.offset()) : null;
            case "UL":
            case "SL": {
                if (!need(e, 4)) return null;
                long v = vr.equals("SL") ? (long) (int) u32(e.offset()) : u32(e.offset());
                if (v > Integer.MAX_VALUE) throw bad(tag, "value " + v + " is too large");
                return (int) v;
            }
            default: {
                String s = string(tag);
                if (s == null) return null;
                String first = s.split("\\\\", -1)[0].strip();
                try {
                    return Integer.parseInt(first.startsWith("+") ? first.substring(1) : first);
                } catch (NumberFormatException ex) {
                    throw bad(tag, "is not an integer: '" + abbreviate(s) + "'");
                }
            }
        }
    }

    private boolean need(Element e, int bytes) {
        if (e.length() < bytes) throw bad(e.tag(), "has " + e.length() + " bytes, expected " + bytes);
        return true;
    }

    int u16(int off) {
        int a = buf[off] & 0xFF, b = buf[off + 1] & 0xFF;
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    long u32(int off) {
        long lo = u16(off), hi = u16(off + 2);
        return bigEndian ? (lo << 16) | hi : (hi << 16) | lo;
    }

    CoverException bad(int tag, String problem) {
        return CoverException.file(file, "DICOM element " + DicomTags.name(tag) + " " + problem);
    }

    private static String abbreviate(String s) {
        if (s == null) return "";
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** The tags present, in file order (for error messages and tests). */
    List<Integer> tags() {
        return new ArrayList<>(elements.keySet());
    }
}
