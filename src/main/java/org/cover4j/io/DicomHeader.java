package org.cover4j.io;

import org.cover4j.io.DicomParser.DicomFile;
import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.cover4j.io.DicomTags.*;

/**
 * What the reader needs from one DICOM image file, checked for consistency: pixel format, frame
 * count, and per-frame geometry and rescale. Multi-frame attributes are looked up the way enhanced
 * multi-frame objects store them (per-frame functional group, then shared group, then top level), and
 * RT dose frames are placed with their GridFrameOffsetVector. Holds no pixel bytes, so a series can
 * keep one header per file.
 */
final class DicomHeader {
    /** Largest voxel count (all frames and samples) that fits one float array. */
    static final long MAX_VOXELS = Integer.MAX_VALUE - 8;

    final Path file;
    final DicomTransferSyntax syntax;
    final int rows, cols, frames, samples, bitsAllocated, bitsStored, highBit;
    final boolean signed;
    final String photometric;
    final boolean planar;
    final String modality, seriesUid, seriesDescription;
    final Integer instanceNumber;
    /** {row spacing, column spacing} in mm (DICOM order), or null. */
    final double[] pixelSpacing;
    /** NaN when absent. */
    final double sliceThickness, spacingBetweenSlices;
    /** Row and column direction cosines (6 values, normalised), or null. */
    final double[] orientation;
    /** Per frame: ImagePositionPatient (LPS mm) or null. */
    final double[][] positions;
    final double[] slopes, intercepts;
    final List<String> warnings = new ArrayList<>();

    /**
     * Where frame attributes are looked up while the header is built; not kept, so that a header does
     * not hold its file's bytes.
     */
    private record Lookup(DicomDataset ds, DicomDataset shared, List<DicomDataset> perFrame) {}

    DicomHeader(DicomFile f) {
        this.file = f.file();
        this.syntax = f.syntax();
        DicomDataset ds = f.data();
        if (!ds.has(PIXEL_DATA)) {
            if (ds.has(FLOAT_PIXEL_DATA) || ds.has(DOUBLE_PIXEL_DATA)) {
                throw CoverException.file(file, "DICOM float pixel data (7FE0,0008/0009) is not supported; convert with dcm2niix");
            }
            throw CoverException.file(file, "DICOM file has no pixel data (7FE0,0010)"
                    + (ds.string(SOP_CLASS) == null ? "" : "; SOP class " + ds.string(SOP_CLASS) + " is not an image"));
        }
        rows = required(ds, ROWS, "Rows");
        cols = required(ds, COLUMNS, "Columns");
        bitsAllocated = required(ds, BITS_ALLOCATED, "BitsAllocated");
        samples = optional(ds, SAMPLES_PER_PIXEL, 1);
        frames = optional(ds, NUMBER_OF_FRAMES, 1);
        bitsStored = optional(ds, BITS_STORED, bitsAllocated);
        highBit = optional(ds, HIGH_BIT, bitsStored - 1);
        int pixelRep = optional(ds, PIXEL_REPRESENTATION, 0);
        planar = optional(ds, PLANAR_CONFIGURATION, 0) == 1;
        String pi = ds.string(PHOTOMETRIC);
        photometric = pi == null ? (samples == 3 ? "RGB" : "MONOCHROME2") : pi;
        checkFormat(pixelRep);
        signed = pixelRep == 1;

        modality = ds.string(MODALITY);
        seriesUid = ds.string(SERIES_UID);
        seriesDescription = ds.string(SERIES_DESCRIPTION);
        instanceNumber = ds.integer(INSTANCE_NUMBER);

        List<DicomDataset> sharedItems = ds.items(SHARED_GROUPS_SEQ);
        List<DicomDataset> pf = ds.items(PER_FRAME_GROUPS_SEQ);
        if (!pf.isEmpty() && pf.size() != frames) {
            warnings.add(file + ": " + pf.size() + " per-frame functional groups for " + frames + " frames; ignored");
            pf = List.of();
        }
        Lookup at = new Lookup(ds, sharedItems.isEmpty() ? null : sharedItems.get(0), pf);

        pixelSpacing = spacingPair(at);
        sliceThickness = positiveOrNaN(frameDecimals(at, 0, PIXEL_MEASURES_SEQ, SLICE_THICKNESS, true));
        spacingBetweenSlices = positiveOrNaN(frameDecimals(at, 0, PIXEL_MEASURES_SEQ, SPACING_BETWEEN_SLICES, true));
        orientation = orientation(at);
        positions = positions(at);
        slopes = new double[frames];
        intercepts = new double[frames];
        for (int k = 0; k < frames; k++) {
            double[] s = frameDecimals(at, k, PIXEL_VALUE_TRANSFORM_SEQ, RESCALE_SLOPE, true);
            double[] i = frameDecimals(at, k, PIXEL_VALUE_TRANSFORM_SEQ, RESCALE_INTERCEPT, true);
            slopes[k] = s.length == 0 ? 1 : s[0];
            intercepts[k] = i.length == 0 ? 0 : i[0];
            if (slopes[k] == 0) {
                if (warnings.stream().noneMatch(w -> w.contains("RescaleSlope"))) {
                    warnings.add(file + ": RescaleSlope is 0; using 1 (as dcm2niix does)");
                }
                slopes[k] = 1;
            }
        }
    }

    private void checkFormat(int pixelRep) {
        if (rows <= 0 || cols <= 0) throw bad("has Rows x Columns = " + rows + " x " + cols);
        if (frames <= 0) throw bad("has NumberOfFrames = " + frames);
        if (samples != 1 && samples != 3) throw bad("has SamplesPerPixel = " + samples + " (1 or 3 supported)");
        if (bitsAllocated != 1 && bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
            throw bad("has BitsAllocated = " + bitsAllocated + " (1, 8, 16 or 32 supported)");
        }
        if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
            throw bad("has inconsistent BitsStored " + bitsStored + " / HighBit " + highBit + " for BitsAllocated "
                    + bitsAllocated);
        }
        if (pixelRep != 0 && pixelRep != 1) throw bad("has PixelRepresentation = " + pixelRep);
        long voxels = (long) rows * cols * frames * samples;
        if (voxels > MAX_VOXELS) {
            throw bad("is too large: Rows x Columns x frames x samples = " + rows + " x " + cols + " x " + frames
                    + " x " + samples + " = " + voxels + " values (at most " + MAX_VOXELS + " in one image)");
        }
        boolean mono = photometric.equals("MONOCHROME1") || photometric.equals("MONOCHROME2");
        boolean color = photometric.equals("RGB") || photometric.startsWith("YBR_");
        if (!mono && !color) {
            throw bad("has PhotometricInterpretation " + photometric + " (MONOCHROME1/2, RGB and YBR supported)");
        }
        if ((mono ? 1 : 3) != samples) {
            throw bad("has PhotometricInterpretation " + photometric + " with SamplesPerPixel " + samples);
        }
        if (syntax.pixels == DicomTransferSyntax.Pixels.UNSUPPORTED) {
            throw CoverException.file(file, "compressed DICOM (TransferSyntax " + syntax.uid + " " + syntax.title
                    + ") is not supported; convert with dcm2niix");
        }
        if (syntax.pixels != DicomTransferSyntax.Pixels.JPEG && color && !photometric.equals("RGB")
                && !photometric.equals("YBR_FULL")) {
            throw bad("has PhotometricInterpretation " + photometric + " in uncompressed/RLE data (not supported)");
        }
        if (syntax.pixels != DicomTransferSyntax.Pixels.NATIVE && bitsAllocated == 1) {
            throw bad("has 1-bit pixels in compressed transfer syntax " + syntax.title);
        }
    }

    /** "int16", "uint8", ... from BitsAllocated and PixelRepresentation; "bit" for 1-bit data. */
    String datatype() {
        return bitsAllocated == 1 ? "bit" : (signed ? "int" : "uint") + bitsAllocated;
    }

    /** Stored value from a raw sample: the BitsStored bits ending at HighBit, sign-extended if signed. */
    long stored(long raw, boolean alignedAtHighBit) {
        long v = alignedAtHighBit ? raw >>> (highBit + 1 - bitsStored) : raw;
        v &= (1L << bitsStored) - 1;
        if (signed && bitsStored > 1 && (v & (1L << (bitsStored - 1))) != 0) v -= 1L << bitsStored;
        return v;
    }

    private CoverException bad(String problem) {
        return CoverException.file(file, "DICOM image " + problem);
    }

    private int required(DicomDataset ds, int tag, String name) {
        Integer v = ds.integer(tag);
        if (v == null) throw CoverException.file(file, "DICOM image lacks " + name + " " + DicomTags.name(tag));
        return v;
    }

    private static int optional(DicomDataset ds, int tag, int fallback) {
        Integer v = ds.integer(tag);
        return v == null ? fallback : v;
    }

    /**
     * A DS attribute of frame {@code k}: from that frame's functional-group macro, the shared macro, or
     * (when {@code topLevel}) the data set itself. Empty when nowhere.
     */
    private static double[] frameDecimals(Lookup at, int k, int macro, int tag, boolean topLevel) {
        if (!at.perFrame().isEmpty()) {
            double[] v = fromMacro(at.perFrame().get(k), macro, tag);
            if (v != null) return v;
        }
        if (at.shared() != null) {
            double[] v = fromMacro(at.shared(), macro, tag);
            if (v != null) return v;
        }
        return topLevel ? at.ds().decimals(tag) : new double[0];
    }

    private static double[] fromMacro(DicomDataset group, int macro, int tag) {
        List<DicomDataset> items = group.items(macro);
        if (items.isEmpty() || !items.get(0).has(tag)) return null;
        double[] v = items.get(0).decimals(tag);
        return v.length == 0 ? null : v;
    }

    private static double positiveOrNaN(double[] v) {
        return v.length > 0 && v[0] > 0 ? v[0] : Double.NaN;
    }

    private double[] spacingPair(Lookup at) {
        double[] ps = frameDecimals(at, 0, PIXEL_MEASURES_SEQ, PIXEL_SPACING, true);
        if (ps.length < 2) ps = at.ds().decimals(IMAGER_PIXEL_SPACING);
        if (ps.length >= 2 && ps[0] > 0 && ps[1] > 0) return new double[] {ps[0], ps[1]};
        if (ps.length > 0) warnings.add(file + ": unusable PixelSpacing; using 1 mm");
        return null;
    }

    private double[] orientation(Lookup at) {
        double[] o = frameDecimals(at, 0, PLANE_ORIENTATION_SEQ, IMAGE_ORIENTATION, true);
        if (o.length == 0) return null;
        if (o.length != 6) {
            warnings.add(file + ": ImageOrientationPatient has " + o.length + " values, not 6; ignored");
            return null;
        }
        double nr = Math.sqrt(o[0] * o[0] + o[1] * o[1] + o[2] * o[2]);
        double nc = Math.sqrt(o[3] * o[3] + o[4] * o[4] + o[5] * o[5]);
        if (nr < 1e-3 || nc < 1e-3) {
            warnings.add(file + ": ImageOrientationPatient has a zero direction; ignored");
            return null;
        }
        return new double[] {o[0] / nr, o[1] / nr, o[2] / nr, o[3] / nc, o[4] / nc, o[5] / nc};
    }

    /** Unit slice normal: row cosine x column cosine; null without orientation. */
    double[] normal() {
        if (orientation == null) return null;
        double[] r = {orientation[0], orientation[1], orientation[2]};
        double[] c = {orientation[3], orientation[4], orientation[5]};
        double[] n = {r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]};
        double len = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (len < 1e-6) return null;
        return new double[] {n[0] / len, n[1] / len, n[2] / len};
    }

    private double[][] positions(Lookup at) {
        double[][] pos = new double[frames][];
        for (int k = 0; k < frames; k++) {
            // The top-level position belongs to the first frame only: a classic multi-frame file has one.
            double[] v = frameDecimals(at, k, PLANE_POSITION_SEQ, IMAGE_POSITION, k == 0);
            if (v.length == 3) pos[k] = v;
        }
        double[] offsets = at.ds().decimals(GRID_FRAME_OFFSETS);
        double[] n = normal();
        if (frames > 1 && pos[0] != null && pos[1] == null && offsets.length == frames && n != null) {
            // RT dose: frame k lies offset[k] - offset[0] mm along the normal from the first frame (both the
            // relative and the absolute form of the vector reduce to this).
            for (int k = 1; k < frames; k++) {
                double d = offsets[k] - offsets[0];
                pos[k] = new double[] {pos[0][0] + d * n[0], pos[0][1] + d * n[1], pos[0][2] + d * n[2]};
            }
        }
        return pos;
    }
}
