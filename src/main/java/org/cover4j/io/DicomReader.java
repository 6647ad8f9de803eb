package org.cover4j.io;

import org.cover4j.data.Image;
import org.cover4j.util.CoverException;

import java.nio.file.Path;

/** DICOM files and series folders. PLACEHOLDER until the DICOM parser lands. */
public final class DicomReader {
    private DicomReader() {}

    /** True when the first bytes look like DICOM ("DICM" at offset 128, or a plausible implicit-VR start). */
    public static boolean looksLikeDicom(byte[] head) {
        return head.length >= 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
    }

    /** Reads one DICOM file or a folder holding one series into a volume. */
    public static Image read(Path fileOrFolder) {
        throw CoverException.file(fileOrFolder, "DICOM reading is not implemented yet");
    }
}
