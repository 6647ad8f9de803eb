package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Reads MetaImage files: {@code .mha} (header and voxels in one file, {@code ElementDataFile = LOCAL}) and
 * {@code .mhd} with a separate data file ({@code .raw}, or {@code .raw.gz}/{@code .zraw}), raw or
 * {@code CompressedData = True} (zlib, or gzip when the stream starts with its magic), either byte order,
 * any {@code ElementType} of MetaIO's scalar types, and {@code ElementNumberOfChannels} interleaved channels.
 *
 * <p>Geometry: MetaImage stores x fastest and world coordinates in LPS. {@link Image#shape()} is the
 * {@code DimSize} order (x, y, z) — the same index order as NIfTI — and the affine is converted to RAS by negating
 * its first two rows: {@code affine = diag(-1,-1,1,1) · [direction·diag(spacing) | offset]}.
 * {@code ElementDataFile = LIST} and file-name patterns are not supported.
 */
public final class MetaImageReader {
    private MetaImageReader() {}

    public static Image read(Path file) {
        ImageFiles.requireRegularFile(file);
        byte[] head = ImageFiles.head(file, MetaImageHeader.MAX_HEADER_BYTES);
        if (head.length == 0) throw CoverException.file(file, "empty file");
        MetaImageHeader h = new MetaImageHeader(head, file);
        long count = ImageFiles.countValues(h.dimSize, h.channels, file);
        long needed = count * h.type.bytes();
        int[] shape = new int[h.ndims];
        for (int i = 0; i < shape.length; i++) shape[i] = (int) h.dimSize[i];
        float[] data = readData(file, h, shape, needed);
        return new Image(data, h.channels, shape, h.spacing, affine(h), "metaimage", h.type.label());
    }

    private static float[] readData(Path file, MetaImageHeader h, int[] shape, long needed) {
        Path dataPath;
        long start;
        if (h.dataFile.equalsIgnoreCase("LOCAL")) {
            dataPath = file;
            start = h.dataStart;
        } else {
            if (h.dataFile.equalsIgnoreCase("LIST") || h.dataFile.contains("%")) {
                throw CoverException.file(file, "MetaImage ElementDataFile '" + MetaImageHeader.shorten(h.dataFile)
                        + "' (a list or pattern of slice files) is not supported");
            }
            dataPath = file.resolveSibling(h.dataFile);
            if (!Files.isRegularFile(dataPath)) {
                throw CoverException.file(file, "MetaImage data file " + dataPath.getFileName() + " (ElementDataFile) not found");
            }
            start = 0;
        }
        long fileBytes = ImageFiles.size(dataPath);
        boolean gzName = !dataPath.equals(file) && dataPath.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        boolean compressed = h.compressed || gzName;
        long available = fileBytes - Math.min(start, fileBytes);
        if (compressed) {
            long packed = h.compressedSize > 0 ? Math.min(h.compressedSize, available) : available;
            ImageFiles.checkAvailable(dataPath, packed, true, 0, needed, "voxel data");
        } else {
            if (h.headerSize == -1) start = fileBytes - needed; // MetaIO: the voxels are the last bytes of the file
            else start += h.headerSize;
            if (start < 0) {
                throw CoverException.file(dataPath, "truncated: needs " + needed + " bytes of voxel data, file has " + fileBytes);
            }
            ImageFiles.checkAvailable(dataPath, fileBytes, false, start, needed, "voxel data");
        }
        ByteOrder order = h.msb ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Inflater zlib = new Inflater();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(dataPath), 1 << 16)) {
            ImageFiles.skipFully(raw, start, dataPath, "the voxel data");
            InputStream in = compressed ? decompressing(raw, zlib) : raw;
            float[] data = FortranVoxels.read(in, h.type, order, shape, h.channels, dataPath);
            // Checksums (gzip's CRC-32, zlib's Adler-32) come after the data and are checked only at the end.
            ImageFiles.readToEnd(in, dataPath);
            if (compressed && !(in instanceof GZIPInputStream) && !zlib.finished()) {
                throw CoverException.file(dataPath, "corrupt compressed data (the zlib stream does not end properly)");
            }
            return data;
        } catch (IOException e) {
            throw ImageFiles.cannotRead(dataPath, e);
        } finally {
            zlib.end();
        }
    }

    /** MetaIO inflates with automatic zlib/gzip detection; so do we ({@code zlib} inflates the zlib case). */
    private static InputStream decompressing(InputStream raw, Inflater zlib) throws IOException {
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) return new GZIPInputStream(raw, 1 << 16);
        return new InflaterInputStream(raw, zlib, 1 << 16);
    }

    static double[][] affine(MetaImageHeader h) {
        double[][] lps = Affines.identity();
        int n = Math.min(3, h.ndims);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) lps[i][j] = h.direction[i][j] * h.spacing[j];
            lps[i][3] = h.offset[i];
        }
        return Affines.flipLpsRas(lps);
    }
}
