package org.cover4j.io;

import java.nio.ByteBuffer;

/**
 * The numeric element types found in image and tensor files, with one bulk decoder to float32 shared by
 * every reader (NIfTI, MetaImage, JSRT, safetensors). Decoding follows numpy's {@code astype(float32)}:
 * integers are converted exactly up to 2^24 and rounded to nearest beyond; unsigned 32/64-bit values are
 * read as unsigned.
 */
public enum SampleType {
    UINT8("uint8", 1), INT8("int8", 1), INT16("int16", 2), UINT16("uint16", 2), INT32("int32", 4),
    UINT32("uint32", 4), INT64("int64", 8), UINT64("uint64", 8), FLOAT16("float16", 2), BFLOAT16("bfloat16", 2),
    FLOAT32("float32", 4), FLOAT64("float64", 8), BOOL("bool", 1);

    private final String label;
    private final int bytes;

    SampleType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** numpy's name for the type, e.g. {@code int16}; used as {@link org.cover4j.io.Image#datatype()}. */
    public String label() { return label; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    /**
     * Decodes {@code count} elements from the current position of {@code src} (whose byte order is already set)
     * into {@code dst[dstOff..dstOff+count)}, advancing {@code src}. The switch sits outside the loops so each
     * type runs a tight loop.
     */
    public void decode(ByteBuffer src, float[] dst, int dstOff, int count) {
        int end = dstOff + count;
        switch (this) {
            case UINT8 -> { for (int i = dstOff; i < end; i++) dst[i] = src.get() & 0xff; }
            case BOOL -> { for (int i = dstOff; i < end; i++) dst[i] = src.get() != 0 ? 1f : 0f; }
            case INT8 -> { for (int i = dstOff; i < end; i++) dst[i] = src.get(); }
            case INT16 -> { for (int i = dstOff; i < end; i++) dst[i] = src.getShort(); }
            case UINT16 -> { for (int i = dstOff; i < end; i++) dst[i] = src.getShort() & 0xffff; }
            case INT32 -> { for (int i = dstOff; i < end; i++) dst[i] = src.getInt(); }
            case UINT32 -> { for (int i = dstOff; i < end; i++) dst[i] = src.getInt() & 0xffffffffL; }
            case INT64 -> { for (int i = dstOff; i < end; i++) dst[i] = src.getLong(); }
            case UINT64 -> { for (int i = dstOff; i < end; i++) dst[i] = unsignedToFloat(src.getLong()); }
            case FLOAT16 -> { for (int i = dstOff; i < end; i++) dst[i] = halfToFloat(src.getShort()); }
            case BFLOAT16 -> { for (int i = dstOff; i < end; i++) dst[i] = Float.intBitsToFloat((src.getShort() & 0xffff) << 16); }
            case FLOAT32 -> { for (int i = dstOff; i < end; i++) dst[i] = src.getFloat(); }
            case FLOAT64 -> { for (int i = dstOff; i < end; i++) dst[i] = (float) src.getDouble(); }
        }
    }

    private static float unsignedToFloat(long v) {
        if (v >= 0) return v;
        // Halve (keeping the lowest bit so rounding stays correct), convert, double.
        return ((v >>> 1) | (v & 1)) * 2f;
    }

    /** IEEE 754 binary16 → float32 (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            // Zero or subnormal half: value = mant * 2^-24, exact in float32.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
