package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes MetaImage files: {@code .mha} with the voxels inside ({@code ElementDataFile = LOCAL}), or {@code .mhd}
 * with the voxels in a {@code .raw} file of the same base name. Little-endian, uncompressed; channels
 * interleaved. The RAS affine is converted back to LPS, spacing = its column norms, direction = its normalised
 * columns. Element type as for NIfTI: the image's uint8/int16 when lossless, else float32. Writes are atomic.
 */
public final class MetaImageWriter {
    private MetaImageWriter() {}

    public static void write(Path file, Image image) {
        write(file, image, ValueRange.losslessType(image, SampleType.UINT8, SampleType.INT16));
    }

    public static void write(Path file, Image image, SampleType type) {
        if (type != SampleType.FLOAT32 && type != SampleType.INT16 && type != SampleType.UINT8) {
            throw CoverException.file(file, "MetaImage writing supports float32, int16 and uint8, not " + type.label());
        }
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean local = lower.endsWith(".mha");
        if (!local && !lower.endsWith(".mhd")) throw CoverException.file(file, "a MetaImage file name must end in .mha or .mhd");
        float[] values = ValueRange.fitTo(image.data(), type, file);
        Path rawFile = file.resolveSibling(name.substring(0, name.length() - 4) + ".raw");
        byte[] header = header(image, type, local ? "LOCAL" : rawFile.getFileName().toString())
                .getBytes(StandardCharsets.US_ASCII);
        AtomicFiles.Content voxels = out -> FortranVoxels.write(out, values, image.shape(), image.channels(), type,
                ByteOrder.LITTLE_ENDIAN);
        if (local) {
            AtomicFiles.write(file, out -> {
                out.write(header);
                voxels.writeTo(out);
            });
        } else {
            // Data first: a header is never left pointing at a missing or stale data file.
            AtomicFiles.write(rawFile, voxels);
            AtomicFiles.write(file, out -> out.write(header));
        }
    }

    static String header(Image image, SampleType type, String dataFile) {
        int n = image.ndim();
        int s = Math.min(3, n);
        double[][] lps = Affines.flipLpsRas(image.affine());
        double[] spacing = image.spacing();
        double[][] dir = new double[n][n];
        for (int i = 0; i < n; i++) dir[i][i] = 1;
        for (int j = 0; j < s; j++) {
            double norm = 0;
            for (int i = 0; i < s; i++) norm += lps[i][j] * lps[i][j];
            norm = Math.sqrt(norm);
            if (norm > 0) {
                spacing[j] = norm;
                for (int i = 0; i < s; i++) dir[i][j] = lps[i][j] / norm;
            }
        }
        StringBuilder tm = new StringBuilder();
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) tm.append(tm.length() == 0 ? "" : " ").append(num(dir[i][j]));
        }
        StringBuilder offset = new StringBuilder();
        StringBuilder centre = new StringBuilder();
        StringBuilder sp = new StringBuilder();
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String sep = i == 0 ? "" : " ";
            offset.append(sep).append(num(i < 3 ? lps[i][3] : 0));
            centre.append(sep).append('0');
            sp.append(sep).append(num(spacing[i]));
            dims.append(sep).append(image.dim(i));
        }
        return "ObjectType = Image\n"
                + "NDims = " + n + "\n"
                + "BinaryData = True\n"
                + "BinaryDataByteOrderMSB = False\n"
                + "CompressedData = False\n"
                + "TransformMatrix = " + tm + "\n"
                + "Offset = " + offset + "\n"
                + "CenterOfRotation = " + centre + "\n"
                + "ElementSpacing = " + sp + "\n"
                + "DimSize = " + dims + "\n"
                + (image.channels() > 1 ? "ElementNumberOfChannels = " + image.channels() + "\n" : "")
                + "ElementType = " + MetaImageHeader.metType(type) + "\n"
                + "ElementDataFile = " + dataFile + "\n";
    }

    /** Shortest text that parses back to the same double; integers without a trailing ".0". */
    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }
}
