package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Stacks the frames of one or more DICOM image headers into one volume: checks they agree, orders the
 * slices along the slice normal, derives the slice spacing from the positions (or falls back to
 * InstanceNumber and the header's spacing), builds the RAS+ affine, and only then allocates and fills
 * the voxels, decoding one file at a time.
 */
final class DicomStack {
    private DicomStack() {}

    /** A step further than this fraction from the mean step is an error (a missing slice is 100%). */
    static final double SPACING_ERROR = 0.25;
    /** A step further than this fraction (and 1 µm) from the mean step is reported as a warning. */
    static final double SPACING_WARNING = 0.01;

    private record Slice(DicomHeader h, int frame, double[] position) {}

    /**
     * @param source   the file or folder named in messages
     * @param headers  headers of the files, in file-name order
     * @param pixelsOf decoder for a header's file (re-reads it when the bytes were not kept)
     */
    static DicomVolume build(Path source, List<DicomHeader> headers, Function<DicomHeader, DicomPixels> pixelsOf) {
        DicomHeader ref = headers.get(0);
        List<String> warnings = new ArrayList<>();
        for (DicomHeader h : headers) {
            checkSame(ref, h);
            warnings.addAll(h.warnings);
        }
        double[] orientation = orientation(headers);
        double[] normal = orientation == null ? null : ref.normal();
        List<DicomHeader> ordered = headers;

        List<Slice> slices = new ArrayList<>();
        boolean allPositions = normal != null;
        for (DicomHeader h : headers) {
            for (int k = 0; k < h.frames; k++) {
                slices.add(new Slice(h, k, h.positions[k]));
                allPositions &= h.positions[k] != null;
            }
        }
        double sliceSpacing;
        double step;
        if (allPositions) {
            slices.sort(Comparator.comparingDouble(s -> dot(s.position(), normal)));
            step = checkedStep(source, slices, normal, warnings);
            sliceSpacing = Math.abs(step);
            if (slices.size() == 1) sliceSpacing = step = fallbackSpacing(ref);
        } else {
            if (headers.size() > 1) {
                boolean numbered = headers.stream().allMatch(h -> h.instanceNumber != null);
                if (numbered) {
                    ordered = new ArrayList<>(headers);
                    ordered.sort(Comparator.comparingInt(h -> h.instanceNumber));
                } else {
                    warnings.add(source + ": slices lack ImagePositionPatient and InstanceNumber; using file-name order");
                }
                slices.clear();
                for (DicomHeader h : ordered) for (int k = 0; k < h.frames; k++) slices.add(new Slice(h, k, h.positions[k]));
            }
            sliceSpacing = step = fallbackSpacing(ref);
            if (slices.size() > 1) {
                warnings.add(source + ": slice positions unavailable; slices ordered by "
                        + (headers.size() > 1 ? "InstanceNumber" : "frame number") + ", spacing " + sliceSpacing
                        + " mm from " + fallbackSpacingSource(ref));
            }
        }
        if (ref.photometric.equals("MONOCHROME1")) {
            warnings.add(source + ": MONOCHROME1 (low values display bright); intensities are not inverted");
        }

        int cols = ref.cols, rows = ref.rows, n = slices.size(), ch = ref.samples;
        double colSpacing = ref.pixelSpacing == null ? 1 : ref.pixelSpacing[1];
        double rowSpacing = ref.pixelSpacing == null ? 1 : ref.pixelSpacing[0];
        if (ref.pixelSpacing == null) warnings.add(source + ": no PixelSpacing; using 1 mm");
        double[] rowCos = orientation == null ? new double[] {1, 0, 0} : slice(orientation, 0);
        double[] colCos = orientation == null ? new double[] {0, 1, 0} : slice(orientation, 3);
        double[] nrm = normal == null ? new double[] {0, 0, 1} : normal;
        double[] origin = slices.get(0).position() == null ? new double[3] : slices.get(0).position();
        double[][] affine = new double[4][4];
        for (int a = 0; a < 3; a++) {
            // LPS -> RAS+: negate x and y.
            double sign = a < 2 ? -1 : 1;
            affine[a][0] = sign * rowCos[a] * colSpacing;
            affine[a][1] = sign * colCos[a] * rowSpacing;
            affine[a][2] = sign * nrm[a] * step;
            affine[a][3] = sign * origin[a];
        }
        affine[3][3] = 1;

        long total = (long) ch * cols * rows * n;
        if (total > DicomHeader.MAX_VOXELS) {
            throw CoverException.file(source, "DICOM volume " + cols + " x " + rows + " x " + n + " x " + ch
                    + " has more than " + DicomHeader.MAX_VOXELS + " values");
        }
        float[] data;
        try {
            data = new float[(int) total];
        } catch (OutOfMemoryError e) {
            throw CoverException.file(source, "not enough memory for a DICOM volume of " + total
                    + " values; raise -Xmx");
        }
        Map<DicomHeader, List<Integer>> byFile = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) byFile.computeIfAbsent(slices.get(k).h(), x -> new ArrayList<>()).add(k);
        for (Map.Entry<DicomHeader, List<Integer>> e : byFile.entrySet()) {
            DicomHeader h = e.getKey();
            DicomPixels px = pixelsOf.apply(h);
            for (int k : e.getValue()) {
                Slice s = slices.get(k);
                fill(data, px.frame(s.frame()), h.slopes[s.frame()], h.intercepts[s.frame()], rows, cols, n, k, ch);
            }
        }
        List<Path> files = slices.stream().map(s -> s.h().file).distinct().toList();
        Image image = new Image(data, ch, new int[] {cols, rows, n}, new double[] {colSpacing, rowSpacing, sliceSpacing},
                affine, "DICOM", ref.datatype());
        return new DicomVolume(image, files, ref.seriesUid, ref.modality, ref.photometric,
                ref.syntax.toString(), warnings);
    }

    /** Writes one frame (planar (s, r, c)) as slice k of the (s, i=c, j=r, k) C-order output. */
    private static void fill(float[] out, double[] v, double slope, double intercept, int rows, int cols, int n,
                             int k, int ch) {
        for (int s = 0; s < ch; s++) {
            for (int r = 0; r < rows; r++) {
                int src = (s * rows + r) * cols;
                for (int c = 0; c < cols; c++) {
                    out[((s * cols + c) * rows + r) * n + k] = (float) (v[src + c] * slope + intercept);
                }
            }
        }
    }

    private static void checkSame(DicomHeader a, DicomHeader b) {
        String what = null;
        if (a.rows != b.rows || a.cols != b.cols) {
            what = "Rows x Columns " + a.rows + " x " + a.cols + " vs " + b.rows + " x " + b.cols;
        } else if (a.samples != b.samples || !a.photometric.equals(b.photometric)) {
            what = "PhotometricInterpretation " + a.photometric + " vs " + b.photometric;
        } else if (a.bitsAllocated != b.bitsAllocated || a.signed != b.signed) {
            what = "pixel type " + a.datatype() + " vs " + b.datatype();
        }
        if (what != null) {
            throw CoverException.file(b.file, "DICOM slice differs from " + a.file.getFileName() + " of the same series: " + what);
        }
    }

    /** The orientation all headers share (null when none has one); differing ones are an error. */
    private static double[] orientation(List<DicomHeader> headers) {
        DicomHeader first = null;
        for (DicomHeader h : headers) {
            if (h.orientation == null) continue;
            if (first == null) {
                first = h;
            } else {
                for (int i = 0; i < 6; i++) {
                    if (Math.abs(first.orientation[i] - h.orientation[i]) > 1e-3) {
                        throw CoverException.file(h.file, "DICOM ImageOrientationPatient differs from "
                                + first.file.getFileName() + " (" + fmt(h.orientation) + " vs " + fmt(first.orientation)
                                + "); the series holds several stacks (e.g. a localizer)");
                    }
                }
            }
        }
        if (first != null && headers.stream().anyMatch(h -> h.orientation == null)) return null;
        return first == null ? null : first.orientation;
    }

    /** Mean signed step along the normal of sorted slices, after checking the steps are uniform. */
    private static double checkedStep(Path source, List<Slice> slices, double[] normal, List<String> warnings) {
        int n = slices.size();
        if (n == 1) return 0;
        double first = dot(slices.get(0).position(), normal), last = dot(slices.get(n - 1).position(), normal);
        double mean = (last - first) / (n - 1);
        double worst = 0;
        int at = 0;
        for (int k = 1; k < n; k++) {
            double d = dot(slices.get(k).position(), normal) - dot(slices.get(k - 1).position(), normal);
            if (d < 1e-4 * Math.max(1, mean)) {
                throw CoverException.file(slices.get(k).h().file, "DICOM slice at position " + fmt(slices.get(k).position())
                        + " duplicates " + label(slices.get(k - 1)) + " (several echoes, phases or acquisitions in one series?)");
            }
            if (Math.abs(d - mean) > worst) {
                worst = Math.abs(d - mean);
                at = k;
            }
        }
        if (worst > SPACING_ERROR * mean) {
            double d = dot(slices.get(at).position(), normal) - dot(slices.get(at - 1).position(), normal);
            throw CoverException.file(source, "DICOM slices are not evenly spaced: " + num(d)
                    + " mm between " + label(slices.get(at - 1)) + " and " + label(slices.get(at)) + ", mean step "
                    + num(mean) + " mm (missing slice?)");
        }
        if (worst > SPACING_WARNING * mean && worst > 1e-3) {
            warnings.add(source + ": slice spacing varies by up to " + num(worst) + " mm around "
                    + num(mean) + " mm; using the mean");
        }
        double[] along = new double[3];
        for (int a = 0; a < 3; a++) along[a] = slices.get(n - 1).position()[a] - slices.get(0).position()[a];
        double parallel = dot(along, normal);
        double perp = Math.sqrt(Math.max(0, dot(along, along) - parallel * parallel));
        if (perp > 0.01 * Math.abs(parallel) + 1e-3) {
            warnings.add(source + ": slice positions drift " + num(perp)
                    + " mm sideways of the slice normal (gantry tilt?); the affine follows the normal");
        }
        return mean;
    }

    /** Slice spacing when positions cannot give it: SpacingBetweenSlices, else SliceThickness, else 1 mm. */
    private static double fallbackSpacing(DicomHeader ref) {
        if (!Double.isNaN(ref.spacingBetweenSlices)) return ref.spacingBetweenSlices;
        if (!Double.isNaN(ref.sliceThickness)) return ref.sliceThickness;
        return 1;
    }

    private static String fallbackSpacingSource(DicomHeader ref) {
        if (!Double.isNaN(ref.spacingBetweenSlices)) return "SpacingBetweenSlices";
        if (!Double.isNaN(ref.sliceThickness)) return "SliceThickness";
        return "no header field (default)";
    }

    private static String label(Slice s) {
        return s.h().file.getFileName() + (s.h().frames > 1 ? " frame " + s.frame() : "");
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    }

    private static double[] slice(double[] v, int from) {
        return new double[] {v[from], v[from + 1], v[from + 2]};
    }

    private static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append(b.length() == 0 ? "" : "\\").append(num(x));
        return b.toString();
    }

    /** Four significant digits without trailing zeros ("4", "2.5", "0.6667"). */
    static String num(double x) {
        return new java.math.BigDecimal(x).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
