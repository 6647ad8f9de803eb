package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * DICOM files and series folders, read without external libraries.
 *
 * <p><b>What is read.</b> Part 10 files (preamble, "DICM", meta group) and raw data sets without
 * them; transfer syntaxes implicit VR little endian, explicit VR little and big endian, deflated
 * explicit little endian, RLE lossless, and JPEG baseline / extended / lossless (process 14, via
 * javax.imageio and the TwelveMonkeys plugin). JPEG-LS, JPEG 2000, HTJ2K and video syntaxes are
 * refused with a message that names the syntax and suggests dcm2niix. Pixels may be 1, 8, 16 or 32
 * bits, signed (sign-extended from BitsStored) or unsigned; RescaleSlope/Intercept are applied (per
 * frame where an enhanced multi-frame object gives them per frame). A folder is read as one series:
 * non-DICOM files and DICOM files without pixel data are skipped; several series are an error that
 * lists them unless one is chosen with {@link #read(Path, String)}.
 *
 * <p><b>Layout (decided here, documented for every caller).</b> The {@link Image} has shape
 * {@code (columns, rows, slices)}: axis 0 is the column index i (along a row, DICOM "x"), axis 1
 * the row index j, axis 2 the slice k, C-order with k fastest, as nibabel presents a NIfTI file that
 * dcm2niix wrote from the series (but without dcm2niix's row flip: j runs the way the rows are
 * stored). A single-frame file gives {@code (columns, rows, 1)} so that its geometry is kept; a
 * multi-frame file gives one slice per frame. Colour (RGB, and YBR converted to RGB) gives 3
 * channels; MONOCHROME1 values are returned as stored (not inverted) and reported in
 * {@link DicomVolume#warnings()}.
 *
 * <p><b>Geometry.</b> Slices are sorted by the projection of ImagePositionPatient on the slice normal
 * n = row cosine x column cosine (ascending), and the slice spacing is the mean step, which must be
 * uniform (steps more than 25% off are an error, more than 1% a warning; duplicates are an error).
 * Without positions, files are ordered by InstanceNumber and the spacing comes from
 * SpacingBetweenSlices, else SliceThickness, else 1 mm. Spacing is {@code (PixelSpacing[1],
 * PixelSpacing[0], slice spacing)}. The affine is {@code diag(-1,-1,1,1) · A_LPS} where A_LPS has
 * columns rowCosine·PixelSpacing[1], columnCosine·PixelSpacing[0], n·sliceSpacing and the
 * ImagePositionPatient of the first slice: it maps (i, j, k) to RAS+ millimetres. Format is
 * "DICOM"; datatype is "uint8", "int16", ... from BitsAllocated and PixelRepresentation ("bit" for
 * 1-bit data).
 */
public final class DicomReader {
    private DicomReader() {}

    private static final System.Logger LOG = System.getLogger(DicomReader.class.getName());

    /**
     * True when the first bytes look like DICOM: "DICM" at offset 128, or a file without preamble that
     * starts with a meta group element or a group-0008 element whose length leads to a plausible next
     * element (implicit or explicit VR little endian, explicit big endian). Give it at least 132 bytes;
     * 1024 is better: files without preamble are only recognised when the second element is visible.
     */
    public static boolean looksLikeDicom(byte[] head) {
        if (head == null) return false;
        if (DicomParser.hasPreamble(head)) return true;
        if (head.length < 8) return false;
        if (DicomParser.le16(head, 0) == 0x0002 && DicomParser.le16(head, 2) <= 0x0100 && DicomParser.isVr(head, 4)) {
            return true;  // meta group without preamble
        }
        for (boolean bigEndian : new boolean[] {false, true}) {
            if (u16(head, 0, bigEndian) != 0x0008) continue;
            int elem = u16(head, 2, bigEndian);
            long len;
            int hdr;
            if (DicomParser.isVr(head, 4)) {
                String vr = new String(head, 4, 2, java.nio.charset.StandardCharsets.ISO_8859_1);
                boolean longVr = "OB OD OF OL OV OW SQ SV UC UN UR UT UV".contains(vr);
                if (longVr && (head.length < 12 || head[6] != 0 || head[7] != 0)) return false;
                len = longVr ? u32(head, 8, bigEndian) : u16(head, 6, bigEndian);
                hdr = longVr ? 12 : 8;
            } else if (!bigEndian) {
                len = u32(head, 4, false);
                hdr = 8;
            } else {
                continue;  // implicit VR big endian does not exist
            }
            if (len == 0xFFFF_FFFFL || len > 0xFFFF) return false;  // group 0008 starts with short values
            long next = hdr + len;
            if (hdr == 8 && !DicomParser.isVr(head, 4)) {
                // Implicit VR has no letters to recognise, so demand more: a low element number (files
                // start with (0008,0000)..(0008,0018)), an even length, and a visible, plausible next element.
                if (elem >= 0x0100 || len % 2 != 0 || next + 4 > head.length) return false;
            } else if (next + 4 > head.length) {
                return len <= 1024;
            }
            int g2 = u16(head, (int) next, bigEndian), e2 = u16(head, (int) next + 2, bigEndian);
            return (g2 == 0x0008 && e2 > elem) || (g2 > 0x0008 && g2 <= 0x7FE0);
        }
        return false;
    }

    /** Reads one DICOM file or a folder holding one series into a volume (layout: see the class comment). */
    public static Image read(Path fileOrFolder) {
        return readVolume(fileOrFolder, null).image();
    }

    /** As {@link #read(Path)}, choosing the series by SeriesInstanceUID when a folder holds several. */
    public static Image read(Path fileOrFolder, String seriesUid) {
        return readVolume(fileOrFolder, seriesUid).image();
    }

    /**
     * Reads a file or series folder with what is known about it (files, modality, warnings).
     *
     * @param seriesUid SeriesInstanceUID to pick from a folder of several series; null for "the only one"
     */
    public static DicomVolume readVolume(Path fileOrFolder, String seriesUid) {
        DicomVolume v = readVolumeQuietly(fileOrFolder, seriesUid);
        for (String w : v.warnings()) LOG.log(System.Logger.Level.WARNING, w);
        return v;
    }

    /** As {@link #readVolume}, leaving the warnings to the caller to show. */
    static DicomVolume readVolumeQuietly(Path fileOrFolder, String seriesUid) {
        DicomVolume v;
        try {
            v = Files.isDirectory(fileOrFolder) ? DicomSeries.read(fileOrFolder, seriesUid) : readFile(fileOrFolder, seriesUid);
        } catch (OutOfMemoryError e) {
            throw CoverException.file(fileOrFolder, "not enough memory to read this DICOM data; raise -Xmx");
        }
        return v;
    }

    private static DicomVolume readFile(Path file, String seriesUid) {
        byte[] b = readAll(file);
        if (!looksLikeDicom(Arrays.copyOf(b, Math.min(b.length, DicomSeries.HEAD_BYTES)))) {
            throw CoverException.file(file, "not a DICOM file (no 'DICM' at byte 128 and no DICOM element at the start)");
        }
        DicomParser.DicomFile parsed = DicomParser.parse(file, b);
        DicomHeader h = new DicomHeader(parsed);
        if (seriesUid != null && !seriesUid.equals(h.seriesUid)) {
            throw CoverException.file(file, "DICOM file belongs to series " + h.seriesUid + ", not " + seriesUid);
        }
        DicomPixels px = new DicomPixels(h, parsed.data());
        return DicomStack.build(file, List.of(h), x -> px);
    }

    /** The whole file, refusing files that do not fit one Java array. */
    static byte[] readAll(Path file) {
        try {
            long size = Files.size(file);
            if (size > DicomParser.MAX_BYTES) {
                throw CoverException.file(file, "DICOM file is " + size + " bytes; files over 2 GiB are not supported");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw CoverException.file(file, "no such file");
        } catch (IOException e) {
            throw CoverException.file(file, "cannot read: " + e.getMessage());
        }
    }

    private static int u16(byte[] b, int off, boolean bigEndian) {
        int x = DicomParser.le16(b, off);
        return bigEndian ? Integer.reverseBytes(x) >>> 16 : x;
    }

    private static long u32(byte[] b, int off, boolean bigEndian) {
        long x = DicomParser.le32(b, off);
        return bigEndian ? Integer.reverseBytes((int) x) & 0xFFFF_FFFFL : x;
    }
}
