package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of DICOM files as one series: lists the regular files in name order, skips those that are
 * not DICOM (by content) or hold no image (DICOMDIR, reports), groups the images by SeriesInstanceUID,
 * and stacks the chosen series. Each file is parsed once to check it and read its geometry, and again
 * when its voxels are copied, so memory holds one file at a time besides the volume.
 */
final class DicomSeries {
    private DicomSeries() {}

    /** Bytes read from each file to decide whether it is DICOM. */
    static final int HEAD_BYTES = 1024;

    static DicomVolume read(Path folder, String seriesUid) {
        List<Path> files = list(folder);
        if (files.isEmpty()) throw CoverException.file(folder, "folder is empty; expected DICOM files of one series");
        Map<String, List<DicomHeader>> series = new LinkedHashMap<>();
        int nonDicom = 0, nonImage = 0;
        for (Path f : files) {
            if (!DicomReader.looksLikeDicom(head(f))) {
                nonDicom++;
                continue;
            }
            DicomParser.DicomFile parsed = DicomParser.parse(f, DicomReader.readAll(f));
            if (!parsed.data().has(DicomTags.PIXEL_DATA)) {
                nonImage++;
                continue;
            }
            DicomHeader h = new DicomHeader(parsed);
            new DicomPixels(h, parsed.data());  // validates sizes and frames before anything is allocated
            series.computeIfAbsent(h.seriesUid == null ? "" : h.seriesUid, k -> new ArrayList<>()).add(h);
        }
        if (series.isEmpty()) {
            throw CoverException.file(folder, "folder holds no DICOM images (" + files.size() + " files: " + nonDicom
                    + " not DICOM, " + nonImage + " DICOM without pixel data)");
        }
        List<DicomHeader> chosen;
        if (seriesUid != null) {
            chosen = series.get(seriesUid);
            if (chosen == null) {
                throw CoverException.file(folder, "folder has no DICOM series " + seriesUid + "; it holds " + describe(series));
            }
        } else if (series.size() > 1) {
            throw CoverException.file(folder, "folder holds " + series.size() + " DICOM series; choose one by "
                    + "SeriesInstanceUID: " + describe(series));
        } else {
            chosen = series.values().iterator().next();
        }
        return DicomStack.build(folder, chosen, DicomSeries::reread);
    }

    /** Parses a file again for its pixels, checking it still matches what the first pass saw. */
    private static DicomPixels reread(DicomHeader first) {
        DicomParser.DicomFile parsed = DicomParser.parse(first.file, DicomReader.readAll(first.file));
        DicomHeader h = new DicomHeader(parsed);
        if (h.rows != first.rows || h.cols != first.cols || h.frames != first.frames || h.samples != first.samples
                || h.bitsAllocated != first.bitsAllocated || h.syntax != first.syntax) {
            throw CoverException.file(first.file, "DICOM file changed while the series was being read");
        }
        return new DicomPixels(h, parsed.data());
    }

    private static String describe(Map<String, List<DicomHeader>> series) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<DicomHeader>> e : series.entrySet()) {
            DicomHeader h = e.getValue().get(0);
            if (b.length() > 0) b.append("; ");
            b.append(e.getKey().isEmpty() ? "(no SeriesInstanceUID)" : e.getKey()).append(" (")
                    .append(h.modality == null ? "?" : h.modality).append(", ").append(e.getValue().size())
                    .append(e.getValue().size() == 1 ? " file" : " files")
                    .append(h.seriesDescription == null ? "" : ", '" + h.seriesDescription + "'").append(")");
        }
        return b.toString();
    }

    private static List<Path> list(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw CoverException.file(folder, "cannot list folder: " + e.getMessage());
        }
    }

    private static byte[] head(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            return in.readNBytes(HEAD_BYTES);
        } catch (IOException e) {
            throw CoverException.file(f, "cannot read: " + e.getMessage());
        }
    }
}
