package org.cover4j.io;

/** The NIfTI {@code datatype} codes cover4j reads, with their element type and number of interleaved channels. */
enum NiftiDatatype {
    UINT8(2, SampleType.UINT8, 1, "uint8"),
    INT16(4, SampleType.INT16, 1, "int16"),
    INT32(8, SampleType.INT32, 1, "int32"),
    FLOAT32(16, SampleType.FLOAT32, 1, "float32"),
    FLOAT64(64, SampleType.FLOAT64, 1, "float64"),
    RGB24(128, SampleType.UINT8, 3, "rgb24"),
    INT8(256, SampleType.INT8, 1, "int8"),
    UINT16(512, SampleType.UINT16, 1, "uint16"),
    UINT32(768, SampleType.UINT32, 1, "uint32"),
    INT64(1024, SampleType.INT64, 1, "int64"),
    UINT64(1280, SampleType.UINT64, 1, "uint64"),
    RGBA32(2304, SampleType.UINT8, 4, "rgba32");

    final int code;
    final SampleType sample;
    final int channels;
    final String label;

    NiftiDatatype(int code, SampleType sample, int channels, String label) {
        this.code = code;
        this.sample = sample;
        this.channels = channels;
        this.label = label;
    }

    int bitpix() {
        return sample.bytes() * 8 * channels;
    }

    static NiftiDatatype ofCode(int code) {
        for (NiftiDatatype t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }

    /** Names of the codes that exist in the standard but that cover4j does not read, for the error message. */
    static String unsupportedName(int code) {
        return switch (code) {
            case 0 -> "unknown (0)";
            case 1 -> "binary (1)";
            case 32 -> "complex64 (32)";
            case 1536 -> "float128 (1536)";
            case 1792 -> "complex128 (1792)";
            case 2048 -> "complex256 (2048)";
            default -> "code " + code;
        };
    }
}
