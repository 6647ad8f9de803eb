package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Byte-level helpers shared by the readers: bounded reads, gzip detection, and the size checks that must pass
 * before anything is allocated from numbers found in a header (a corrupt or hostile header must produce a
 * one-line {@link CoverException}, never an {@link OutOfMemoryError}).
 */
final class ImageFiles {
    /** Largest number of float32 values one image may hold (a Java array's limit). */
    static final long MAX_VALUES = Integer.MAX_VALUE - 16;
    /**
     * Deflate cannot expand data by more than about 1032:1, so a gzip/zlib stream of n bytes cannot hold more
     * than this many times n bytes: a header promising more is corrupt, and we can say so before allocating.
     */
    static final long MAX_DEFLATE_RATIO = 1032;

    private ImageFiles() {}

    /** The first {@code n} bytes of a file (fewer if it is shorter). */
    static byte[] head(Path file, int n) {
        requireRegularFile(file);
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    static void requireRegularFile(Path file) {
        if (Files.isDirectory(file)) throw CoverException.file(file, "is a directory, expected an image file");
        if (!Files.exists(file)) throw CoverException.file(file, "no such file");
        if (!Files.isRegularFile(file)) throw CoverException.file(file, "not a regular file");
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    static boolean isGzip(byte[] head) {
        return head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
    }

    /** Opens a file for sequential reading, transparently gunzipping it when it starts with the gzip magic. */
    static InputStream open(Path file) {
        requireRegularFile(file);
        try {
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 == 0x1f && b1 == 0x8b) return new GZIPInputStream(raw, 1 << 16);
            return raw;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * Reads a stream from {@link #open} to its end once the caller has what it needs. A gzip member's CRC-32 and
     * length sit in its trailer, after the data, and {@link GZIPInputStream} checks them only when it reaches them:
     * stopping after the voxels would accept a corrupt or cut file. Further gzip members are legal and are checked
     * the same way; an uncompressed stream is left as it is (bytes after the voxels are allowed, as in nibabel).
     */
    static void readToEnd(InputStream in, Path file) {
        if (!(in instanceof InflaterInputStream)) return;
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** Reads exactly {@code len} bytes or reports the file as truncated (or its gzip stream as corrupt). */
    static void readFully(InputStream in, byte[] b, int off, int len, Path file, String what) {
        try {
            int got = in.readNBytes(b, off, len);
            if (got < len) {
                throw CoverException.file(file, "truncated: " + what + " needs " + len + " bytes, only " + got + " present");
            }
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** Skips exactly {@code n} bytes (e.g. header extensions up to the data offset). */
    static void skipFully(InputStream in, long n, Path file, String what) {
        try {
            in.skipNBytes(n);
        } catch (EOFException e) {
            throw CoverException.file(file, "truncated: " + what + " lies beyond the end of the file");
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * Checks, before allocating, that a file can hold {@code needed} data bytes after {@code offset}: exactly for
     * a plain file, and by the deflate ratio bound for a compressed one (the stream read itself then catches
     * any shortfall).
     */
    static void checkAvailable(Path file, long fileBytes, boolean compressed, long offset, long needed, String what) {
        if (compressed) {
            if (needed > fileBytes * MAX_DEFLATE_RATIO) {
                throw CoverException.file(file, "header promises " + needed + " bytes of " + what
                        + " but a compressed file of " + fileBytes + " bytes cannot hold that many (corrupt header?)");
            }
            return;
        }
        if (offset > fileBytes) {
            throw CoverException.file(file, "data offset " + offset + " lies beyond the end of the file (" + fileBytes + " bytes)");
        }
        if (needed > fileBytes - offset) {
            throw CoverException.file(file, "truncated: header says " + needed + " bytes of " + what + " from offset "
                    + offset + ", file has " + (fileBytes - offset));
        }
    }

    /** Product of dimensions × channels, refusing non-positive dimensions and totals beyond one Java array. */
    static long countValues(long[] dims, long channels, Path file) {
        long n = channels;
        if (channels <= 0) throw CoverException.file(file, "invalid number of channels " + channels);
        for (long d : dims) {
            if (d <= 0) throw CoverException.file(file, "invalid dimension " + d + " in " + java.util.Arrays.toString(dims));
            if (n > MAX_VALUES / d) {
                throw CoverException.file(file, "image too large: dimensions " + java.util.Arrays.toString(dims)
                        + (channels > 1 ? " x " + channels + " channels" : "") + " exceed " + MAX_VALUES + " values");
            }
            n *= d;
        }
        return n;
    }

    /** Allocates the voxel array, turning an out-of-memory into advice instead of a crash. */
    static float[] allocate(long n, Path file) {
        try {
            return new float[Math.toIntExact(n)];
        } catch (OutOfMemoryError e) {
            throw CoverException.file(file, "not enough memory for " + n + " voxels (" + (n * 4 >> 20)
                    + " MiB as float32); raise the Java heap with -Xmx");
        }
    }

    static CoverException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) return CoverException.file(file, "no such file");
        if (e instanceof AccessDeniedException) return CoverException.file(file, "permission denied");
        if (e instanceof java.util.zip.ZipException || e instanceof EOFException) {
            return CoverException.file(file, "corrupt or truncated compressed data ("
                    + (e.getMessage() == null ? "unexpected end" : e.getMessage()) + ")");
        }
        return CoverException.file(file, "cannot read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
}
