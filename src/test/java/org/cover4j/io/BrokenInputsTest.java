package org.cover4j.io;

import org.cover4j.util.CoverException;
import org.cover4j.util.Rng;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A corpus of broken inputs generated here (nothing binary is committed): every one must be refused with a
 * {@link CoverException} whose message names the file — never another exception, never an OutOfMemoryError.
 */
class BrokenInputsTest {
    @TempDir
    static Path dir;

    private interface Maker {
        Path make() throws IOException;
    }

    private final List<DynamicTest> cases = new ArrayList<>();

    private void add(String name, Maker maker) {
        add(name, maker, MedicalImages::read);
    }

    private void add(String name, Maker maker, Function<Path, Image> reader) {
        cases.add(DynamicTest.dynamicTest(name, () -> {
            Path f = maker.make();
            try {
                reader.apply(f);
                fail(name + ": was read without error");
            } catch (CoverException e) {
                assertTrue(e.getMessage().contains(f.getFileName().toString()), name + ": message lacks the file name: " + e.getMessage());
                assertEquals(-1, e.getMessage().indexOf('\n'), "one-line message: " + e.getMessage());
            } catch (Throwable t) {
                throw new AssertionError(name + ": " + t.getClass().getName() + " escaped instead of a CoverException", t);
            }
        }));
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static Path text(String name, String content) throws IOException {
        return write(name, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A valid float32 (4,3,2) NIfTI to break. */
    private static NiftiBytes nifti() {
        return new NiftiBytes().values(SampleType.FLOAT32, new double[24]);
    }

    private static Path niftiWith(String name, java.util.function.Consumer<NiftiBytes> change) throws IOException {
        NiftiBytes nb = nifti();
        change.accept(nb);
        byte[] b = nb.toBytes();
        return write(name, name.endsWith(".gz") ? NiftiBytes.gzip(b) : b);
    }

    /** A valid file whose vox_offset field (bytes 108-111) is overwritten, the voxels left where they were. */
    private static byte[] withVoxOffset(float value) {
        byte[] all = nifti().toBytes();
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putFloat(108, value);
        return all;
    }

    private static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), "png", out);
        return out.toByteArray();
    }

    private static byte[] mha(String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static final String MHA = "ObjectType = Image\nNDims = 3\nDimSize = 4 3 2\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n";

    /** An uncompressed TIFF written by ImageIO with ImageWidth/ImageLength patched to 60000 x 60000. */
    private static byte[] hugeTiff() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "tiff", out);
        byte[] b = out.toByteArray();
        ByteBuffer bb = ByteBuffer.wrap(b).order(b[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = bb.getInt(4);
        int n = bb.getShort(ifd) & 0xffff;
        for (int i = 0; i < n; i++) {
            int e = ifd + 2 + 12 * i;
            int tag = bb.getShort(e) & 0xffff;
            if (tag == 256 || tag == 257) {
                if (bb.getShort(e + 2) == 3) bb.putShort(e + 8, (short) 60000);
                else bb.putInt(e + 8, 60000);
            }
        }
        return b;
    }

    @TestFactory
    List<DynamicTest> everyBrokenInputIsACoverException() throws IOException {
        int full = nifti().toBytes().length;
        // --- NIfTI ---
        add("empty file", () -> write("empty.nii", new byte[0]));
        add("truncated header", () -> write("trunc-header.nii", Arrays.copyOf(nifti().toBytes(), 100)));
        add("truncated voxels", () -> write("trunc-data.nii", Arrays.copyOf(nifti().toBytes(), full - 40)));
        add("truncated voxels, gzip", () -> write("trunc-data.nii.gz", NiftiBytes.gzip(Arrays.copyOf(nifti().toBytes(), full - 40))));
        add("gzip cut in the middle", () -> {
            byte[] gz = NiftiBytes.gzip(nifti().toBytes());
            return write("cut.nii.gz", Arrays.copyOf(gz, gz.length / 2));
        });
        add("corrupt deflate stream", () -> {
            byte[] gz = NiftiBytes.gzip(nifti().toBytes());
            for (int i = 12; i < gz.length - 8; i += 3) gz[i] ^= 0x5a;
            return write("corrupt.nii.gz", gz);
        });
        add("gzip header only", () -> write("gzhead.nii.gz", Arrays.copyOf(NiftiBytes.gzip(new byte[0]), 10)));
        add("gzip of text", () -> write("notnifti.nii.gz", NiftiBytes.gzip("hello".getBytes(StandardCharsets.US_ASCII))));
        add("wrong magic", () -> niftiWith("magic.nii", nb -> nb.magic = "n+3\0"));
        add("no magic (Analyze)", () -> niftiWith("analyze.nii", nb -> nb.magic = "\0\0\0\0"));
        add("dim[0] = 0", () -> niftiWith("dim0.nii", nb -> nb.dim[0] = 0));
        add("dim[0] = 9", () -> niftiWith("dim9.nii", nb -> nb.dim[0] = 9));
        add("zero dimension", () -> niftiWith("zerodim.nii", nb -> nb.dim[2] = 0));
        add("negative dimension", () -> niftiWith("negdim.nii", nb -> nb.dim[1] = -4));
        add("2^45 voxels", () -> niftiWith("huge.nii", nb -> nb.dim = new long[]{3, 32767, 32767, 32767, 1, 1, 1, 1}));
        add("4 GB promised by 400 bytes", () -> niftiWith("big.nii", nb -> nb.dim = new long[]{3, 1000, 1000, 1000, 1, 1, 1, 1}));
        add("4 GB promised by a small gzip", () -> niftiWith("big.nii.gz", nb -> nb.dim = new long[]{3, 1000, 1000, 1000, 1, 1, 1, 1}));
        add("NIfTI-2 with 2^40 voxels", () -> niftiWith("huge2.nii", nb -> {
            nb.version = 2;
            nb.dim = new long[]{2, 1L << 20, 1L << 20, 1, 1, 1, 1, 1};
        }));
        add("datatype/bitpix mismatch", () -> niftiWith("bitpix.nii", nb -> nb.bitpix = 16));
        add("complex datatype", () -> niftiWith("complex.nii", nb -> {
            nb.datatype = 32;
            nb.bitpix = 64;
        }));
        add("unknown datatype", () -> niftiWith("dt999.nii", nb -> nb.datatype = 999));
        add("vox_offset beyond the end", () -> write("voxoff.nii", withVoxOffset(1e6f)));
        add("vox_offset beyond the end, gzip", () -> write("voxoff.nii.gz", NiftiBytes.gzip(withVoxOffset(1e6f))));
        add("vox_offset NaN", () -> write("voxnan.nii", withVoxOffset(Float.NaN)));
        add("vox_offset negative", () -> write("voxneg.nii", withVoxOffset(-352f)));
        add("sform with NaN", () -> niftiWith("sformnan.nii", nb -> {
            nb.sformCode = 1;
            nb.srow[1][1] = Double.NaN;
        }));
        add("pair header without its .img", () -> {
            NiftiBytes nb = nifti();
            nb.magic = "ni1\0";
            return write("lonely.hdr", nb.header());
        });
        // --- text and signatures in disguise ---
        add("text named .nii", () -> text("notes.nii", "this is not an image\n"));
        add("text named .png", () -> text("notes.png", "this is not an image either\n"));
        add("text named .mha", () -> text("notes.mha", "hello world\n"));
        add("JSRT-named file of the wrong size", () -> write("JPCLN002.IMG", new byte[1000]));
        add("PNG signature then garbage", () -> {
            byte[] b = new byte[200];
            System.arraycopy(new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, 0, b, 0, 8);
            return write("garbage.png", b);
        });
        add("PNG cut in half", () -> {
            byte[] p = png(64, 64);
            return write("cut.png", Arrays.copyOf(p, p.length / 2));
        });
        add("JPEG cut after the header", () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), "jpeg", out);
            return write("cut.jpg", Arrays.copyOf(out.toByteArray(), 40));
        });
        add("TIFF claiming 60000 x 60000", () -> write("huge.tif", hugeTiff()));
        add("BMP header only", () -> write("head.bmp", new byte[]{'B', 'M', 0, 0, 0, 0}));
        // --- MetaImage ---
        add("missing data file", () -> text("missing.mhd", MHA.replace("LOCAL", "nowhere.raw")));
        add("DimSize with too few values", () -> write("dims.mha", mha(MHA.replace("4 3 2", "4 3"), new byte[96])));
        add("voxels shorter than DimSize", () -> write("short.mha", mha(MHA, new byte[50])));
        add("unknown ElementType", () -> write("type.mha", mha(MHA.replace("MET_FLOAT", "MET_COMPLEX"), new byte[96])));
        add("NDims not a number", () -> write("ndims.mha", mha(MHA.replace("NDims = 3", "NDims = three"), new byte[96])));
        add("gigantic DimSize", () -> write("hugedims.mha", mha(MHA.replace("4 3 2", "100000 100000 100000"), new byte[96])));
        add("2 GB DimSize in a small file", () -> write("bigdims.mha", mha(MHA.replace("4 3 2", "1000 1000 500"), new byte[96])));
        add("compressed garbage", () -> write("zbad.mha", mha(MHA.replace("ElementType", "CompressedData = True\nElementType"), new byte[96])));
        add("no ElementDataFile", () -> text("nodata.mha", "ObjectType = Image\nNDims = 2\nDimSize = 2 2\nElementType = MET_UCHAR\n"));
        add("slice-list data file", () -> text("list.mhd", MHA.replace("LOCAL", "LIST")));
        add("negative spacing", () -> write("spacing.mha", mha(MHA.replace("ElementType", "ElementSpacing = 1 -1 1\nElementType"), new byte[96])));
        add("ObjectType not Image", () -> text("mesh.mha", "ObjectType = Mesh\nNDims = 3\nElementDataFile = LOCAL\n"));
        // --- paths that are not files ---
        add("missing file", () -> dir.resolve("does-not-exist.nii"));
        add("directory given to the NIfTI reader", () -> Files.createDirectories(dir.resolve("folder.nii")), NiftiReader::read);
        add("directory given to the MetaImage reader", () -> Files.createDirectories(dir.resolve("folder.mha")), MetaImageReader::read);
        add("directory given to the raster reader", () -> Files.createDirectories(dir.resolve("folder.png")), RasterReader::read);
        assertTrue(cases.size() >= 30, "corpus size " + cases.size());
        return cases;
    }

    /**
     * Every byte of a compressed stream after the gzip header (deflate payload, CRC-32, ISIZE) or of a whole zlib
     * stream (header, payload, Adler-32) is flipped in turn, and the stream is cut short by 1 to 8 bytes: each
     * variant must be refused naming the file, while the clean file still reads. The gzip header's MTIME/XFL/OS
     * bytes (4-9) are not covered by any check in the format, so they are left alone.
     */
    @Test
    void everyFlippedOrMissingByteOfACompressedStreamIsRefused() throws IOException {
        Rng rng = new Rng(7);
        float[] v = new float[5 * 4 * 3];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.uniform(-100, 100);
        Path nii = dir.resolve("clean.nii.gz");
        NiftiWriter.write(nii, Image.of(v, 5, 4, 3), SampleType.FLOAT32);
        assertCorruptionsRefused(nii, Files.readAllBytes(nii), 10, () -> MedicalImages.read(nii));

        byte[] raw = new byte[v.length * 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(v);
        Path mhd = text("g.mhd", MHA.replace("LOCAL", "g.raw.gz"));
        assertCorruptionsRefused(dir.resolve("g.raw.gz"), NiftiBytes.gzip(raw), 10, () -> MedicalImages.read(mhd));

        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(raw);
        }
        String zHeader = MHA.replace("ElementType", "CompressedData = True\nElementType");
        Path mha = dir.resolve("z.mha");
        assertCorruptionsRefused(mha, mha(zHeader, z.toByteArray()), zHeader.length(), () -> MedicalImages.read(mha));
    }

    /**
     * Every byte of a compressed stream after the gzip header (deflate payload, CRC-32, ISIZE) or of a whole zlib
     * stream (header, payload, Adler-32), from {@code from} on, is flipped in turn, and the file is cut short by 1 to
     * 8 bytes: {@code read} must refuse each variant of {@code file} naming it, and read the clean file. (The gzip
     * header's MTIME/XFL/OS bytes 4-9 are covered by no check in the format.)
     */
    private static void assertCorruptionsRefused(Path file, byte[] bytes, int from, java.util.function.Supplier<Image> read)
            throws IOException {
        Files.write(file, bytes);
        read.get();
        List<String> accepted = new ArrayList<>();
        for (int i = from; i < bytes.length + 8; i++) {
            boolean flip = i < bytes.length;
            byte[] bad = flip ? bytes.clone() : Arrays.copyOf(bytes, bytes.length - (i - bytes.length + 1));
            if (flip) bad[i] ^= (byte) 0xff;
            String what = flip ? "byte " + i + " flipped" : (bytes.length - bad.length) + " bytes cut";
            Files.write(file, bad);
            try {
                read.get();
                accepted.add(what);
            } catch (CoverException e) {
                assertTrue(e.getMessage().startsWith(file + ": "), what + ": " + e.getMessage());
                assertEquals(-1, e.getMessage().indexOf('\n'), what + ": " + e.getMessage());
            }
        }
        assertTrue(accepted.isEmpty(), file.getFileName() + " (" + bytes.length + " bytes): " + accepted.size()
                + " corruptions read without error, e.g. " + accepted.subList(0, Math.min(5, accepted.size())));
    }

    @Test
    void nonFiniteVoxelsAreReadableButRequireFiniteRefusesThem() throws IOException {
        NiftiBytes nb = new NiftiBytes().values(SampleType.FLOAT32, new double[24]);
        ByteBuffer.wrap(nb.data).order(ByteOrder.LITTLE_ENDIAN).putFloat(4 * 5, Float.NaN).putFloat(4 * 7, Float.NEGATIVE_INFINITY);
        Path f = write("nan.nii", nb.toBytes());
        Image img = MedicalImages.read(f);
        // Fortran position 5 = (i=1, j=1, k=0) -> C index (1*3 + 1)*2 + 0 = 8; position 7 = (3,1,0) -> 20.
        assertTrue(Float.isNaN(img.data()[8]));
        assertEquals(Float.NEGATIVE_INFINITY, img.data()[20]);
        CoverException e = assertThrows(CoverException.class, () -> ImageChecks.requireFinite(img, f));
        assertTrue(e.getMessage().contains("nan.nii") && e.getMessage().contains("1 NaN, 1 infinite")
                && e.getMessage().contains("(1, 1, 0)"), e.getMessage());
        ImageChecks.requireFinite(Image.of(new float[]{1, 2}, 2), f); // finite: no exception
    }
}
