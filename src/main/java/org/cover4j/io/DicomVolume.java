package org.cover4j.io;

import java.nio.file.Path;
import java.util.List;

/**
 * A DICOM image or series as read by {@link DicomReader#readVolume}: the {@link Image} plus what a
 * caller may want to report about it.
 *
 * @param image          voxels and geometry (see {@link DicomReader} for the layout)
 * @param files          the files read, in slice order of their first frame
 * @param seriesUid      SeriesInstanceUID (null when the files have none)
 * @param modality       Modality (CT, MR, ...), or null
 * @param photometric    PhotometricInterpretation as stored (MONOCHROME1 values are NOT inverted;
 *                       YBR colour is returned as RGB)
 * @param transferSyntax UID and name of the (first file's) transfer syntax
 * @param warnings       one line per oddity that did not stop reading (also logged)
 */
public record DicomVolume(Image image, List<Path> files, String seriesUid, String modality, String photometric,
                          String transferSyntax, List<String> warnings) {
    public DicomVolume {
        files = List.copyOf(files);
        warnings = List.copyOf(warnings);
    }
}
