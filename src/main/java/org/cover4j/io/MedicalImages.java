package org.cover4j.io;

import org.cover4j.util.CoverException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * One entry point for reading and writing any supported image. The reader is chosen by content, not by name:
 * gzip (then a NIfTI header inside), NIfTI {@code sizeof_hdr} 348/540 in either byte order, PNG/JPEG/BMP/GIF/TIFF
 * signatures, DICOM ("DICM" at 128), MetaImage {@code Key = Value} text; the extension decides only where a format
 * has no magic (JSRT {@code .IMG}, the {@code .img} of a NIfTI pair). A folder is read as a DICOM series.
 * Writing is chosen by extension: {@code .nii}, {@code .nii.gz}, {@code .mha}, {@code .mhd}, {@code .png}.
 */
public final class MedicalImages {
    /** File-name endings {@link #isSupportedImageName} accepts (lower case). */
    private static final List<String> READABLE = List.of(".nii", ".nii.gz", ".hdr", ".mha", ".mhd", ".png", ".jpg",
            ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".dcm", ".img");
    private static final int HEAD_BYTES = 1024;

    private MedicalImages() {}

    /**
     * An image and one line for each oddity that did not stop reading it, naming the file: a value the reader had
     * to assume (a voxel size of 0, a missing DICOM PixelSpacing) or an element it ignored.
     */
    public record Reading(Image image, List<String> warnings) {
        public Reading {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Reads an image file, or a DICOM series folder; any problem is a {@link CoverException} naming the path.
     * DICOM warnings are logged (as {@link DicomReader#readVolume} does); the others are for {@link #readReporting}.
     */
    public static Image read(Path file) {
        return reading(file, true).image();
    }

    /** As {@link #read}, returning the warnings instead of logging them (for {@code cover4j info}, which shows them). */
    public static Reading readReporting(Path file) {
        return reading(file, false);
    }

    private static Reading reading(Path file, boolean logDicom) {
        if (Files.isDirectory(file)) return dicom(file, logDicom);
        if (!Files.exists(file)) throw CoverException.file(file, "no such file");
        if (!Files.isRegularFile(file)) throw CoverException.file(file, "not a regular file");
        byte[] head = ImageFiles.head(file, HEAD_BYTES);
        if (head.length == 0) throw CoverException.file(file, "empty file");
        return switch (detect(file, head)) {
            case NIFTI -> NiftiReader.readReporting(file);
            case RASTER -> new Reading(RasterReader.read(file), List.of());
            case DICOM -> dicom(file, logDicom);
            case METAIMAGE -> new Reading(MetaImageReader.read(file), List.of());
            case JSRT -> new Reading(JsrtReader.read(file), List.of());
            case NIFTI_PAIR_IMAGE -> NiftiReader.readReporting(pairHeader(file));
        };
    }

    private static Reading dicom(Path fileOrFolder, boolean log) {
        DicomVolume v = log ? DicomReader.readVolume(fileOrFolder, null) : DicomReader.readVolumeQuietly(fileOrFolder, null);
        return new Reading(v.image(), v.warnings());
    }

    /** The format {@link #read} would use, e.g. "nifti", "raster", "metaimage"; for {@code cover4j info} and listings. */
    public static String detectFormat(Path file) {
        if (Files.isDirectory(file)) return "dicom";
        return detect(file, ImageFiles.head(file, HEAD_BYTES)).name().toLowerCase(Locale.ROOT);
    }

    /**
     * Writes by extension: {@code .nii}/{@code .nii.gz} (NIfTI-1), {@code .mha}/{@code .mhd} (MetaImage), {@code .png}
     * (losslessly, 8/16-bit gray or RGB; see {@link RasterWriter#write}). Element type: the image's own uint8/int16
     * when lossless, else float32.
     */
    public static void write(Path file, Image image) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".nii") || name.endsWith(".nii.gz")) NiftiWriter.write(file, image);
        else if (name.endsWith(".mha") || name.endsWith(".mhd")) MetaImageWriter.write(file, image);
        else if (name.endsWith(".png")) RasterWriter.write(file, image);
        else throw CoverException.usage(file + ": cannot write this file type; use .nii, .nii.gz, .mha, .mhd or .png");
    }

    /**
     * True for names of files {@link #read} handles, by extension (case-insensitive); {@code .raw} data files of
     * MetaImage headers are excluded so that a folder listing yields each image once. Extension-less DICOM files are
     * not recognised here.
     */
    public static boolean isSupportedImageName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith(".")) return false; // hidden files, including our own temporary files
        for (String ext : READABLE) {
            if (n.endsWith(ext)) return true;
        }
        return false;
    }

    private enum Kind { NIFTI, RASTER, DICOM, METAIMAGE, JSRT, NIFTI_PAIR_IMAGE }

    private static Kind detect(Path file, byte[] head) {
        if (ImageFiles.isGzip(head)) {
            if (NiftiHeader.detect(gunzipHead(file)) != null) return Kind.NIFTI;
            throw CoverException.file(file, "a gzip file that does not hold a NIfTI image (first bytes "
                    + hex(gunzipHead(file)) + " after decompression)");
        }
        // DICOM first: its 128-byte preamble is free-form and may itself look like another format's header.
        if (DicomReader.looksLikeDicom(head)) return Kind.DICOM;
        if (NiftiHeader.detect(head) != null) return Kind.NIFTI;
        if (isRasterSignature(head)) return Kind.RASTER;
        if (MetaImageHeader.looksLikeMetaImage(head)) return Kind.METAIMAGE;
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        long size = ImageFiles.size(file);
        if (JsrtReader.looksLikeJsrt(file, size)) return Kind.JSRT;
        if (name.endsWith(".img") && Files.isRegularFile(pairHeader(file))) return Kind.NIFTI_PAIR_IMAGE;
        if (name.endsWith(".mhd") || name.endsWith(".mha")) return Kind.METAIMAGE; // its reader names the problem
        throw CoverException.file(file, "not a recognised image (first bytes " + hex(head) + ")");
    }

    static boolean isRasterSignature(byte[] h) {
        return starts(h, 0x89, 'P', 'N', 'G')
                || starts(h, 0xff, 0xd8, 0xff)
                || starts(h, 'B', 'M')
                || starts(h, 'G', 'I', 'F', '8')
                || starts(h, 'I', 'I', 42, 0) || starts(h, 'M', 'M', 0, 42)
                || starts(h, 'I', 'I', 43, 0) || starts(h, 'M', 'M', 0, 43); // BigTIFF
    }

    private static boolean starts(byte[] h, int... sig) {
        if (h.length < sig.length) return false;
        for (int i = 0; i < sig.length; i++) {
            if ((h[i] & 0xff) != sig[i]) return false;
        }
        return true;
    }

    private static byte[] gunzipHead(Path file) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readNBytes(16);
        } catch (IOException e) {
            throw ImageFiles.cannotRead(file, e);
        }
    }

    private static Path pairHeader(Path img) {
        String name = img.getFileName().toString();
        return img.resolveSibling(name.substring(0, name.length() - 4) + (name.endsWith(".IMG") ? ".HDR" : ".hdr"));
    }

    private static String hex(byte[] head) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) s.append(i == 0 ? "" : " ").append(String.format("%02x", head[i] & 0xff));
        return s.toString();
    }
}
