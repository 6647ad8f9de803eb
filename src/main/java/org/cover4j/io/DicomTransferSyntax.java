package org.cover4j.io;

/**
 * Transfer syntaxes the reader knows by name: how the data set is encoded (VR explicit or not, byte
 * order, deflated) and how the pixel data is stored ({@link Pixels}). Compressed syntaxes the reader
 * cannot decode are listed too, so that the error names them.
 */
enum DicomTransferSyntax {
    IMPLICIT_LE("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, Pixels.NATIVE),
    EXPLICIT_LE("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, Pixels.NATIVE),
    DEFLATED_LE("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, Pixels.NATIVE),
    EXPLICIT_BE("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, Pixels.NATIVE),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", Pixels.JPEG),
    JPEG_EXTENDED("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", Pixels.JPEG),
    JPEG_LOSSLESS("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", Pixels.JPEG),
    JPEG_LOSSLESS_SV1("1.2.840.10008.1.2.4.70",
            "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1)", Pixels.JPEG),
    JPEG_LS_LOSSLESS("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", Pixels.UNSUPPORTED),
    JPEG_LS_NEAR_LOSSLESS("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", Pixels.UNSUPPORTED),
    JPEG2000_LOSSLESS("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", Pixels.UNSUPPORTED),
    JPEG2000("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", Pixels.UNSUPPORTED),
    JPEG2000_MC_LOSSLESS("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)", Pixels.UNSUPPORTED),
    JPEG2000_MC("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component", Pixels.UNSUPPORTED),
    MPEG2_MP("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", Pixels.UNSUPPORTED),
    MPEG2_HL("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", Pixels.UNSUPPORTED),
    MPEG4_HP("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile", Pixels.UNSUPPORTED),
    MPEG4_BD("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile", Pixels.UNSUPPORTED),
    HEVC_MP("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile", Pixels.UNSUPPORTED),
    HEVC_M10P("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile", Pixels.UNSUPPORTED),
    HTJ2K_LOSSLESS("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)", Pixels.UNSUPPORTED),
    HTJ2K_RPCL("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)",
            Pixels.UNSUPPORTED),
    HTJ2K("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", Pixels.UNSUPPORTED),
    RLE("1.2.840.10008.1.2.5", "RLE Lossless", Pixels.RLE);

    /** How the pixel data of a syntax is stored. */
    enum Pixels { NATIVE, JPEG, RLE, UNSUPPORTED }

    final String uid;
    final String title;
    final boolean explicitVr;
    final boolean bigEndian;
    final boolean deflated;
    final Pixels pixels;

    DicomTransferSyntax(String uid, String title, boolean explicitVr, boolean bigEndian, boolean deflated,
                        Pixels pixels) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
        this.deflated = deflated;
        this.pixels = pixels;
    }

    /** Encapsulated (compressed) syntaxes: always explicit VR little endian. */
    DicomTransferSyntax(String uid, String title, Pixels pixels) {
        this(uid, title, true, false, false, pixels);
    }

    /** The syntax with this UID, or null when the reader does not know it. */
    static DicomTransferSyntax of(String uid) {
        for (DicomTransferSyntax s : values()) {
            if (s.uid.equals(uid)) return s;
        }
        return null;
    }

    @Override
    public String toString() {
        return uid + " " + title;
    }
}
