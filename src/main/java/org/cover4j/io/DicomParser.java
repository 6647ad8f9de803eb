package org.cover4j.io;

import org.cover4j.io.DicomDataset.Element;
import org.cover4j.io.DicomDataset.Fragment;
import org.cover4j.util.CoverException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import static org.cover4j.io.DicomTags.ITEM;
import static org.cover4j.io.DicomTags.ITEM_DELIMITER;
import static org.cover4j.io.DicomTags.PIXEL_DATA;
import static org.cover4j.io.DicomTags.SEQUENCE_DELIMITER;
import static org.cover4j.io.DicomTags.name;

/**
 * Walks the bytes of a DICOM file into {@link DicomDataset}s: the optional 128-byte preamble and
 * "DICM", the file meta group (always explicit VR little endian), then the data set in the declared
 * transfer syntax (inflating it first for the deflated syntax). Every length is checked against the
 * bytes that remain before anything is skipped or kept, sequences of defined and undefined length are
 * descended into (at most {@value #MAX_DEPTH} levels), and encapsulated pixel data is split into its
 * fragments. Any inconsistency is a {@link CoverException} naming the file and the byte offset.
 */
final class DicomParser {
    /** Deeper nesting than this is refused: real files nest a handful of levels, crafted ones overflow the stack. */
    static final int MAX_DEPTH = 32;
    /** Largest data set kept in one Java array. */
    static final int MAX_BYTES = Integer.MAX_VALUE - 16;
    /** More elements than this means a crafted or corrupt file (an enhanced multi-frame has ~10^5). */
    static final int MAX_ELEMENTS = 5_000_000;
    private static final long UNDEFINED = 0xFFFF_FFFFL;

    private static final Set<String> VRS = Set.of("AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO",
            "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL",
            "UN", "UR", "US", "UT", "UV");
    /** VRs whose explicit header has two reserved bytes and a 4-byte length. */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");

    /** The parsed file: meta group (null when the file has none), data set, and its transfer syntax. */
    record DicomFile(Path file, DicomDataset meta, DicomDataset data, DicomTransferSyntax syntax) {}

    private enum Mode { META, TOP, ITEM }

    private enum Stop { END, ITEM_DELIMITER, SEQUENCE_DELIMITER }

    private final Path file;
    private final byte[] buf;
    private boolean explicit;
    private boolean bigEndian;
    private int p;
    private Stop stop = Stop.END;
    private int count;

    private DicomParser(Path file, byte[] buf, boolean explicit, boolean bigEndian) {
        this.file = file;
        this.buf = buf;
        this.explicit = explicit;
        this.bigEndian = bigEndian;
    }

    /** True when bytes 128..131 are "DICM" (a DICOM Part 10 file). */
    static boolean hasPreamble(byte[] b) {
        return b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M';
    }

    /** True when the two bytes at {@code off} spell a value representation. */
    static boolean isVr(byte[] b, int off) {
        return off + 2 <= b.length && VRS.contains(new String(b, off, 2, StandardCharsets.ISO_8859_1));
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static long le32(byte[] b, int off) {
        return le16(b, off) | (long) le16(b, off + 2) << 16;
    }

    /** Parses a whole file held in memory. */
    static DicomFile parse(Path file, byte[] b) {
        int pos = hasPreamble(b) ? 132 : 0;
        DicomDataset meta = null;
        if (b.length - pos >= 8 && le16(b, pos) == 0x0002) {
            DicomParser w = new DicomParser(file, b, true, false);
            meta = new DicomDataset(file, b, false);
            w.p = pos;
            w.elements(meta, b.length, 0, Mode.META);
            pos = w.p;
        } else if (pos == 0 && b.length >= 8 && le16(b, 0) == 0x0800 && isVr(b, 4)) {
            // No meta group and a byte-swapped first group: explicit VR big endian without meta.
            return parseData(file, b, 0, null, DicomTransferSyntax.EXPLICIT_BE);
        }
        String uid = meta == null ? null : meta.string(DicomTags.TRANSFER_SYNTAX);
        DicomTransferSyntax ts;
        if (uid == null) {
            ts = b.length - pos >= 6 && isVr(b, pos + 4) ? DicomTransferSyntax.EXPLICIT_LE : DicomTransferSyntax.IMPLICIT_LE;
        } else {
            ts = DicomTransferSyntax.of(uid);
            if (ts == null) {
                throw CoverException.file(file, "unknown DICOM transfer syntax " + uid
                        + " (private or retired); convert with dcm2niix");
            }
        }
        return parseData(file, b, pos, meta, ts);
    }

    private static DicomFile parseData(Path file, byte[] b, int pos, DicomDataset meta, DicomTransferSyntax ts) {
        byte[] data = b;
        int start = pos;
        if (ts.deflated) {
            data = inflate(file, b, pos);
            start = 0;
        }
        boolean explicit = ts.explicitVr;
        // Some writers declare one VR encoding and use the other; trust the first element's bytes, as
        // pydicom and dcmtk do. Implicit -> explicit only when the implicit reading is impossible.
        if (data.length - start >= 8) {
            boolean vrBytes = isVr(data, start + 4);
            if (explicit && !vrBytes) {
                explicit = false;
            } else if (!explicit && vrBytes && le32(data, start + 4) > data.length - start - 8) {
                explicit = true;
            }
        }
        DicomParser w = new DicomParser(file, data, explicit, ts.bigEndian);
        DicomDataset ds = new DicomDataset(file, data, ts.bigEndian);
        w.p = start;
        w.elements(ds, data.length, 0, Mode.TOP);
        return new DicomFile(file, meta, ds, ts);
    }

    /** Inflates a deflated data set (raw deflate, no zlib header), refusing results beyond 2 GiB. */
    static byte[] inflate(Path file, byte[] b, int pos) {
        for (boolean nowrap : new boolean[] {true, false}) {  // some writers add a zlib header anyway
            Inflater inf = new Inflater(nowrap);
            try {
                inf.setInput(b, pos, b.length - pos);
                byte[] out = new byte[(int) Math.min(MAX_BYTES, Math.max(4096L, 4L * (b.length - pos)))];
                int n = 0;
                while (!inf.finished()) {
                    if (n == out.length) {
                        if (out.length >= MAX_BYTES) {
                            throw CoverException.file(file, "deflated DICOM data set inflates to more than 2 GiB");
                        }
                        out = Arrays.copyOf(out, (int) Math.min(MAX_BYTES, 2L * out.length));
                    }
                    int k = inf.inflate(out, n, out.length - n);
                    if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                        throw CoverException.file(file, "deflated DICOM data set is truncated");
                    }
                    n += k;
                }
                return Arrays.copyOf(out, n);
            } catch (DataFormatException e) {
                if (!nowrap) throw CoverException.file(file, "deflated DICOM data set is corrupt: " + e.getMessage());
            } finally {
                inf.end();
            }
        }
        throw new IllegalStateException("unreachable");
    }

    private int u16(int off) {
        int a = buf[off] & 0xFF, b = buf[off + 1] & 0xFF;
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    private long u32(int off) {
        long lo = u16(off), hi = u16(off + 2);
        return bigEndian ? (lo << 16) | hi : (hi << 16) | lo;
    }

    private int tagAt(int off) {
        return u16(off) << 16 | u16(off + 2);
    }

    private CoverException error(int offset, String problem) {
        return CoverException.file(file, problem + " (at byte " + offset + ")");
    }

    private CoverException truncated(int offset, String what, long needed) {
        return CoverException.file(file, "truncated DICOM: " + what + " at byte " + offset + " needs " + needed
                + " bytes, only " + (buf.length - offset) + " remain");
    }

    private boolean zerosFrom(int off, int end) {
        for (int i = off; i < end; i++) if (buf[i] != 0) return false;
        return true;
    }

    /** Reads elements into {@code ds} until {@code end}, a delimiter (items), or the end of group 0002 (meta). */
    private void elements(DicomDataset ds, int end, int depth, Mode mode) {
        stop = Stop.END;
        while (p < end) {
            if (mode == Mode.META && (end - p < 2 || le16(buf, p) != 0x0002)) return;
            if (mode == Mode.TOP && buf[p] == 0 && zerosFrom(p, end)) {  // zero padding after the last element
                p = end;
                return;
            }
            int start = p;
            if (end - p < 8) throw truncated(p, "an element header", 8);
            int tag = mode == Mode.META ? le16(buf, p) << 16 | le16(buf, p + 2) : tagAt(p);
            if (tag == ITEM_DELIMITER || tag == SEQUENCE_DELIMITER) {
                if (mode != Mode.ITEM) throw error(p, "unexpected delimiter " + name(tag) + " outside a sequence");
                if (tag == ITEM_DELIMITER) {
                    p += 8;
                    stop = Stop.ITEM_DELIMITER;
                } else {
                    stop = Stop.SEQUENCE_DELIMITER;  // left for the enclosing sequence to consume
                }
                return;
            }
            if (tag == ITEM) throw error(p, "item tag (FFFE,E000) outside a sequence");
            if (++count > MAX_ELEMENTS) throw error(p, "more than " + MAX_ELEMENTS + " DICOM elements");
            boolean ex = mode == Mode.META || explicit;
            String vr;
            long len;
            if (ex) {
                if (!isVr(buf, p + 4)) {
                    throw error(p, "element " + name(tag) + " has no valid VR ('"
                            + printable(buf[p + 4]) + printable(buf[p + 5]) + "')");
                }
                vr = new String(buf, p + 4, 2, StandardCharsets.ISO_8859_1);
                if (LONG_VRS.contains(vr)) {
                    if (end - p < 12) throw truncated(p, "the header of element " + name(tag), 12);
                    len = mode == Mode.META ? le32(buf, p + 8) : u32(p + 8);
                    p += 12;
                } else {
                    len = mode == Mode.META ? le16(buf, p + 6) : u16(p + 6);
                    p += 8;
                }
            } else {
                vr = DicomTags.VR.get(tag);
                len = u32(p + 4);
                p += 8;
            }
            List<DicomDataset> items = null;
            List<Fragment> fragments = null;
            int offset = p, length = 0;
            if (len == UNDEFINED) {
                if ("UN".equals(vr)) {
                    // An undefined-length UN is a sequence encoded in implicit VR little endian (CP-246).
                    boolean saveEx = explicit, saveBe = bigEndian;
                    explicit = false;
                    bigEndian = false;
                    items = sequence(tag, start, end, depth + 1, true);
                    explicit = saveEx;
                    bigEndian = saveBe;
                } else if ("SQ".equals(vr) || (vr == null && tag != PIXEL_DATA)) {
                    items = sequence(tag, start, end, depth + 1, true);
                } else {
                    fragments = fragments(tag, start, end);
                }
            } else {
                if (len > end - p) {
                    throw CoverException.file(file, "element " + name(tag) + " at byte " + start + " has length " + len
                            + " but only " + (end - p) + " bytes remain" + (mode == Mode.ITEM
                            ? " in its enclosing item" : " in the file") + " (truncated or corrupt DICOM)");
                }
                int n = (int) len;
                length = n;
                if ("SQ".equals(vr)) {
                    items = sequence(tag, start, p + n, depth + 1, false);
                } else if (!ex && vr == null && n >= 8 && tagAt(p) == ITEM && depth < MAX_DEPTH) {
                    // An unknown implicit-VR element starting with an item tag is almost surely a sequence;
                    // if it does not parse as one, keep it as bytes.
                    int save = p, saveCount = count;
                    try {
                        items = sequence(tag, start, p + n, depth + 1, false);
                    } catch (CoverException notASequence) {
                        items = null;
                        count = saveCount;
                    }
                    p = save;
                }
                p = offset + n;
            }
            ds.add(new Element(tag, vr, offset, length, items, fragments));
        }
        stop = Stop.END;
    }

    /** Reads the items of a sequence whose value starts at {@link #p}; sets {@link #p} after it. */
    private List<DicomDataset> sequence(int tag, int start, int end, int depth, boolean undefinedLength) {
        if (depth > MAX_DEPTH) throw error(start, "DICOM sequences nested deeper than " + MAX_DEPTH + " levels");
        List<DicomDataset> items = new ArrayList<>();
        while (true) {
            if (!undefinedLength && p >= end) return items;
            if (end - p < 8) {
                if (undefinedLength) {
                    throw CoverException.file(file, "DICOM sequence " + name(tag) + " starting at byte " + start
                            + " never ends (no sequence delimiter before the end of "
                            + (end == buf.length ? "the file" : "its enclosing item") + ")");
                }
                throw truncated(p, "an item header in sequence " + name(tag), 8);
            }
            int itemStart = p;
            int t = tagAt(p);
            long len = u32(p + 4);
            p += 8;
            if (t == SEQUENCE_DELIMITER) {
                if (undefinedLength) return items;
                continue;  // a stray delimiter inside a defined-length sequence: harmless
            }
            if (t != ITEM) {
                throw error(itemStart, "DICOM sequence " + name(tag) + " holds " + name(t) + " where an item was expected");
            }
            DicomDataset item = new DicomDataset(file, buf, bigEndian);
            if (len == UNDEFINED) {
                elements(item, end, depth, Mode.ITEM);
                if (stop == Stop.END) {
                    throw CoverException.file(file, "item of DICOM sequence " + name(tag) + " starting at byte "
                            + itemStart + " never ends (no item delimiter)");
                }
            } else {
                if (len > end - p) {
                    throw CoverException.file(file, "item of DICOM sequence " + name(tag) + " at byte " + itemStart
                            + " has length " + len + " but only " + (end - p) + " bytes remain");
                }
                int itemEnd = p + (int) len;
                elements(item, itemEnd, depth, Mode.ITEM);
                p = itemEnd;
            }
            items.add(item);
        }
    }

    /** Reads the fragments of encapsulated pixel data (first = basic offset table) up to the delimiter. */
    private List<Fragment> fragments(int tag, int start, int end) {
        List<Fragment> fragments = new ArrayList<>();
        while (true) {
            if (end - p < 8) {
                throw CoverException.file(file, "encapsulated DICOM element " + name(tag) + " starting at byte " + start
                        + " never ends (no sequence delimiter before the end of the file)");
            }
            int t = tagAt(p);
            long len = u32(p + 4);
            if (t == SEQUENCE_DELIMITER) {
                p += 8;
                return fragments;
            }
            if (t != ITEM) {
                throw error(p, "encapsulated DICOM element " + name(tag) + " holds " + name(t)
                        + " where a fragment item was expected");
            }
            if (len > end - p - 8) {
                throw CoverException.file(file, "pixel data fragment at byte " + p + " has length " + len
                        + " but only " + (end - p - 8) + " bytes remain (truncated DICOM)");
            }
            if (++count > MAX_ELEMENTS) throw error(p, "more than " + MAX_ELEMENTS + " DICOM elements");
            fragments.add(new Fragment(p + 8, (int) len));
            p += 8 + (int) len;
        }
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7F ? String.valueOf((char) b) : String.format("\\x%02X", b & 0xFF);
    }
}
