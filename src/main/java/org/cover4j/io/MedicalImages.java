package org.cover4j.io;

import org.cover4j.data.Image;
import org.cover4j.util.CoverException;

import java.nio.file.Path;

/** One entry point for reading any supported image file; picks the reader from the file's content. */
public final class MedicalImages {
    private MedicalImages() {}

    /** PLACEHOLDER until the I/O layer lands: reads nothing yet. */
    public static Image read(Path file) {
        throw CoverException.file(file, "reading images is not implemented yet");
    }
}
